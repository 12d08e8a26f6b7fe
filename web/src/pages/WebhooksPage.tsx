import { useEffect, useState } from 'preact/hooks';
import { DELETE_WEBHOOK_ENDPOINT, ENABLE_WEBHOOK_ENDPOINT, WEBHOOK_ENDPOINTS } from '../api/documents';
import { gql } from '../api/graphql';
import { isForbidden } from '../api/session-access';
import type { WebhookEndpoint } from '../api/types';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ShownOnceSecret } from '../components/ShownOnceSecret';
import { dateTime } from '../format';
import { DeliveryLog } from '../webhooks/DeliveryLog';
import { NewEndpointForm, type CreatedWebhookEndpoint } from '../webhooks/NewEndpointForm';
import { DataTable } from '../components/DataTable';

function EndpointState({ endpoint }: { endpoint: WebhookEndpoint }) {
  if (!endpoint.enabled) {
    return (
      <div class="reason">
        <strong>Disabled</strong> {dateTime(endpoint.disabledAt)}
        {endpoint.disabledReason ? `: ${endpoint.disabledReason}` : ''}. It receives no new events; its waiting
        deliveries resume when it is enabled.
      </div>
    );
  }
  return (
    <>
      Enabled
      {endpoint.consecutiveFailures > 0 && (
        <div class="reason">{endpoint.consecutiveFailures} failed attempt(s) in a row</div>
      )}
    </>
  );
}

/**
 * The account's webhook endpoints, their delivery logs and replay (docs/results.md). Changes need
 * webhooks:write; the session's scopes are not known in advance, so a refusal turns the page read-only.
 */
export function WebhooksPage() {
  const [endpoints, setEndpoints] = useState<WebhookEndpoint[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedWebhookEndpoint | null>(null);
  const [deleting, setDeleting] = useState<WebhookEndpoint | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [readOnly, setReadOnly] = useState(false);

  useEffect(() => {
    let stopped = false;
    gql<{ webhookEndpoints: WebhookEndpoint[] }>(WEBHOOK_ENDPOINTS).then(
      (data) => {
        if (!stopped) {
          setEndpoints(data.webhookEndpoints);
          setError(null);
        }
      },
      (caught: unknown) =>
        !stopped && setError(caught instanceof Error ? caught.message : 'Could not load the endpoints'),
    );
    return () => {
      stopped = true;
    };
  }, [reload]);

  const selected = endpoints?.find((e) => e.id === selectedId) ?? endpoints?.[0] ?? null;

  async function change(run: () => Promise<string>) {
    setBusy(true);
    setNotice(null);
    try {
      setNotice(await run());
      setReload((n) => n + 1);
    } catch (caught) {
      setReadOnly((current) => current || isForbidden(caught));
      setNotice(caught instanceof Error ? caught.message : 'The change failed');
    } finally {
      setBusy(false);
    }
  }

  const remove = (endpoint: WebhookEndpoint) =>
    change(async () => {
      setDeleting(null);
      await gql(DELETE_WEBHOOK_ENDPOINT, { id: endpoint.id });
      return `Deleted ${endpoint.url} and its delivery log.`;
    });

  const enable = (endpoint: WebhookEndpoint) =>
    change(async () => {
      await gql(ENABLE_WEBHOOK_ENDPOINT, { id: endpoint.id });
      return `${endpoint.url} is enabled again; its waiting deliveries resume.`;
    });

  return (
    <main id="main">
      <h1>Webhooks</h1>
      <p class="hint">
        Events about this account's campaigns, POSTed to your URLs and signed (Standard Webhooks): at least once, in
        order per campaign, retried for a day. See docs/results.md.
      </p>
      {readOnly && (
        <p class="reason-box" role="status">
          This session's key lacks the <code>webhooks:write</code> scope: endpoints and deliveries can be seen here, not
          changed.
        </p>
      )}
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

      <section class="card" aria-labelledby="endpoints-title">
        <h2 id="endpoints-title">Endpoints</h2>
        {created && (
          <ShownOnceSecret
            title="Signing secret of the new endpoint"
            value={created.secret}
            onDismiss={() => setCreated(null)}
          >
            copy it now into the system behind {created.endpoint.url}: it verifies each request's{' '}
            <code>webhook-signature</code> with it. It cannot be shown again.
          </ShownOnceSecret>
        )}
        {endpoints &&
          (endpoints.length === 0 ? (
            <p>No endpoints yet.</p>
          ) : (
            <DataTable
              class="endpoints"
              columns={['URL', 'Events', 'State', 'Last success', 'Last failure', { label: 'Actions', hidden: true }]}
            >
              {endpoints.map((endpoint) => (
                <tr key={endpoint.id} class={endpoint.id === selected?.id ? 'selected' : ''}>
                  <td class="mono">{endpoint.url}</td>
                  <td>{endpoint.events.join(', ')}</td>
                  <td>
                    <EndpointState endpoint={endpoint} />
                  </td>
                  <td>{dateTime(endpoint.lastSuccessAt)}</td>
                  <td>{dateTime(endpoint.lastFailureAt)}</td>
                  <td>
                    <div class="row-actions">
                      <button
                        type="button"
                        aria-pressed={endpoint.id === selected?.id}
                        aria-label={`Delivery log of ${endpoint.url}`}
                        onClick={() => setSelectedId(endpoint.id)}
                      >
                        Delivery log
                      </button>
                      {!readOnly && !endpoint.enabled && (
                        <button type="button" disabled={busy} onClick={() => void enable(endpoint)}>
                          Enable
                        </button>
                      )}
                      {!readOnly && (
                        <button
                          type="button"
                          class="danger"
                          aria-label={`Delete ${endpoint.url}`}
                          onClick={() => setDeleting(endpoint)}
                        >
                          Delete…
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </DataTable>
          ))}
        {!readOnly && (
          <>
            <h3 id="new-endpoint-title">New endpoint</h3>
            <NewEndpointForm
              onForbidden={() => setReadOnly(true)}
              onCreated={(endpoint) => {
                setCreated(endpoint);
                setSelectedId(endpoint.endpoint.id);
                setReload((n) => n + 1);
              }}
            />
          </>
        )}
      </section>

      {selected && (
        <DeliveryLog key={selected.id} endpoint={selected} readOnly={readOnly} onForbidden={() => setReadOnly(true)} />
      )}

      <ConfirmDialog
        open={deleting !== null}
        title="Delete this endpoint?"
        confirmLabel="Delete"
        danger
        busy={busy}
        onConfirm={() => deleting && void remove(deleting)}
        onCancel={() => setDeleting(null)}
      >
        <p>{deleting?.url} receives no more events, and its delivery log is deleted with it. This cannot be undone.</p>
      </ConfirmDialog>
    </main>
  );
}
