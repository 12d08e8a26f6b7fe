import { useEffect, useState } from 'preact/hooks';
import { REPLAY_WEBHOOK_DELIVERY, WEBHOOK_DELIVERIES } from '../api/documents';
import { gql } from '../api/graphql';
import { isForbidden } from '../api/session-access';
import {
  WEBHOOK_DELIVERY_STATES,
  type Connection,
  type WebhookDelivery,
  type WebhookDeliveryState,
  type WebhookEndpoint,
} from '../api/types';
import { Link } from '../components/Link';
import { Pager, useCursorPages } from '../components/Pager';
import { dateTime } from '../format';
import { DataTable } from '../components/DataTable';

const PAGE_SIZE = 25;
/** While the page shown has deliveries waiting, it is read again this often. */
const PENDING_REFRESH_MS = 5_000;

function response(delivery: WebhookDelivery): string {
  const parts = [
    delivery.lastStatusCode !== null ? `HTTP ${delivery.lastStatusCode}` : '',
    delivery.lastError ?? '',
    delivery.lastDurationMs !== null ? `${delivery.lastDurationMs} ms` : '',
  ];
  return parts.filter(Boolean).join(' · ') || '—';
}

/** An endpoint's deliveries, newest first, a page at a time, with manual replay. */
export function DeliveryLog(props: { endpoint: WebhookEndpoint; readOnly: boolean; onForbidden: () => void }) {
  const pages = useCursorPages();
  const [state, setState] = useState<WebhookDeliveryState | ''>('');
  const [log, setLog] = useState<Connection<WebhookDelivery> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [loading, setLoading] = useState(true);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    setLoading(true);
    gql<{ webhookDeliveries: Connection<WebhookDelivery> }>(WEBHOOK_DELIVERIES, {
      endpointId: props.endpoint.id,
      state: state || null,
      first: PAGE_SIZE,
      after: pages.after,
    })
      .then(
        (data) => {
          if (!stopped) {
            setLog(data.webhookDeliveries);
            setError(null);
          }
        },
        (caught: unknown) => !stopped && setError(caught instanceof Error ? caught.message : 'Could not load the log'),
      )
      .finally(() => !stopped && setLoading(false));
    return () => {
      stopped = true;
    };
  }, [props.endpoint.id, state, pages.after, reload]);

  const waiting = log?.edges.some(({ node }) => node.state === 'PENDING') ?? false;
  useEffect(() => {
    if (!waiting) {
      return;
    }
    const timer = setTimeout(() => setReload((n) => n + 1), PENDING_REFRESH_MS);
    return () => clearTimeout(timer);
  }, [waiting, log]);

  async function replay(delivery: WebhookDelivery) {
    setNotice(null);
    try {
      await gql(REPLAY_WEBHOOK_DELIVERY, { id: delivery.id });
      setNotice(`${delivery.eventType} (event ${delivery.eventId}) is sent again, with the same webhook-id.`);
      setReload((n) => n + 1);
    } catch (caught) {
      if (isForbidden(caught)) {
        props.onForbidden();
      }
      setNotice(caught instanceof Error ? caught.message : 'The replay failed');
    }
  }

  return (
    <section class="card" aria-labelledby="log-title">
      <h2 id="log-title">Delivery log</h2>
      <p class="hint mono">{props.endpoint.url}</p>
      <div class="filters">
        <label>
          State
          <select
            value={state}
            onChange={(e) => {
              setState(e.currentTarget.value as WebhookDeliveryState | '');
              pages.reset();
            }}
          >
            <option value="">All</option>
            {WEBHOOK_DELIVERY_STATES.map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </label>
        <button type="button" disabled={loading} onClick={() => setReload((n) => n + 1)}>
          Refresh
        </button>
      </div>
      {notice && (
        <p role="status" class="notice">
          {notice}
        </p>
      )}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {log &&
        (log.edges.length === 0 ? (
          <p>No deliveries{state ? ` ${state}` : ''} yet.</p>
        ) : (
          <>
            <p class="hint" aria-live="polite">
              Newest first; page {pages.number}.
              {waiting ? ' Deliveries are waiting: this page reads again every 5 s.' : ''}
            </p>
            <DataTable
              class="deliveries"
              columns={[
                'Event',
                'Campaign',
                'State',
                { label: 'Attempts', numeric: true },
                'Last response',
                'Last attempt',
                'Next retry',
                !props.readOnly && { label: 'Actions', hidden: true },
              ]}
            >
              {log.edges.map(({ node }) => (
                <tr key={node.id} data-delivery-state={node.state}>
                  <td>
                    <code>{node.eventType}</code>
                  </td>
                  <td>{node.campaignId ? <Link href={`/campaigns/${node.campaignId}`}>open</Link> : '—'}</td>
                  <td>{node.state}</td>
                  <td class="num">{node.attempts}</td>
                  <td>{response(node)}</td>
                  <td>{dateTime(node.lastAttemptAt)}</td>
                  <td>{node.state === 'PENDING' ? dateTime(node.nextAttemptAt) : '—'}</td>
                  {!props.readOnly && (
                    <td>
                      <button
                        type="button"
                        aria-label={`Replay ${node.eventType} ${node.eventId}`}
                        onClick={() => void replay(node)}
                      >
                        Replay
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </DataTable>
            <Pager pages={pages} pageInfo={log.pageInfo} label="Pages of the delivery log" />
          </>
        ))}
    </section>
  );
}
