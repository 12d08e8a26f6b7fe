import { useEffect, useRef, useState } from 'preact/hooks';
import { CAMPAIGN, CANCEL, COST_REPORT, PAUSE, PROGRESS_SUBSCRIPTION, RESUME } from '../api/documents';
import { gql, subscribe } from '../api/graphql';
import { FINAL_STATUSES, type CampaignDetail, type CountryCost, type Progress, type StatusChange } from '../api/types';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorCodes } from '../components/ErrorCodes';
import { Link } from '../components/Link';
import { MessagesTable } from '../components/MessagesTable';
import { ProgressBar } from '../components/ProgressBar';
import { ProgressChart, type ChartPoint } from '../components/ProgressChart';
import { StatusBadge } from '../components/StatusBadge';
import { count, dateTime, money } from '../format';

type Action = 'pause' | 'resume' | 'cancel';

const TABLE_REFRESH_MS = 5_000;
const COST_REFRESH_MS = 10_000;
/** A settled campaign's figures still move while late reports arrive: read again this often. */
const FINAL_REFRESH_MS = 60_000;

const COUNTERS: Array<[keyof Progress, string]> = [
  ['pending', 'Pending'],
  ['submitted', 'Submitted'],
  ['queued', 'Queued at Plivo'],
  ['sent', 'Sent'],
  ['delivered', 'Delivered'],
  ['undelivered', 'Undelivered'],
  ['failed', 'Failed'],
  ['rejected', 'Rejected'],
  ['unconfirmed', 'Unconfirmed'],
  ['suppressed', 'Suppressed'],
  ['cancelled', 'Cancelled'],
];

/**
 * Sent counts the statuses of messages handed to Plivo (docs/results.md): REJECTED ones too, which Plivo took and
 * refused. FAILED ones are left out: the counter holds those the service failed itself, never handed over
 * (submission_refused and the like), with those Plivo failed.
 */
function chartPoint(p: Progress): ChartPoint {
  return {
    at: Date.now() / 1000,
    sent: p.submitted + p.queued + p.sent + p.delivered + p.undelivered + p.unconfirmed + p.rejected,
    delivered: p.delivered,
    failed: p.failed + p.undelivered + p.rejected,
  };
}

/**
 * Final, and no message still waiting or with Plivo (what ends the campaignProgress subscription,
 * docs/live-progress.md): past this only late receipts move the figures.
 */
function isSettled(p: Progress): boolean {
  return FINAL_STATUSES.includes(p.status) && p.pending + p.submitted + p.queued + p.sent === 0;
}

export function CampaignPage({ id }: { id: string }) {
  const [campaign, setCampaign] = useState<CampaignDetail | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [points, setPoints] = useState<ChartPoint[]>([]);
  const [costs, setCosts] = useState<{ perCountry: CountryCost[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notFound, setNotFound] = useState(false);
  const [action, setAction] = useState<Action | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [budget, setBudget] = useState('');
  const [reload, setReload] = useState(0);
  // Reads the campaign again (not the subscription): when it ends, then every FINAL_REFRESH_MS once settled.
  const [readVersion, setReadVersion] = useState(0);
  // The error-code and messages tables are read again at most every TABLE_REFRESH_MS while progress moves (a
  // cancelled campaign's messages already with Plivo too), and once it is settled.
  const [refreshVersion, setRefreshVersion] = useState(0);
  const lastRefresh = useRef(Date.now());

  const status = progress?.status ?? campaign?.status;
  const final = status ? FINAL_STATUSES.includes(status) : false;
  const readFinal = campaign ? FINAL_STATUSES.includes(campaign.status) : false;
  // Undefined until the progress is known.
  const settled = progress ? isSettled(progress) : undefined;

  useEffect(() => {
    let stopped = false;
    gql<{ campaign: CampaignDetail | null }>(CAMPAIGN, { id }).then(
      (data) => {
        if (stopped) {
          return;
        }
        if (!data.campaign) {
          setNotFound(true);
          return;
        }
        const read = data.campaign;
        setCampaign(read);
        // The subscription ends with the final status: past it, this read is the newest progress there is.
        setProgress((current) => (current && !FINAL_STATUSES.includes(read.status) ? current : read.progress));
        setPoints((current) => (current.length ? current : [chartPoint(read.progress)]));
      },
      (caught: unknown) => !stopped && setError(caught instanceof Error ? caught.message : 'Could not load the campaign'),
    );
    return () => {
      stopped = true;
    };
  }, [id, reload, readVersion]);

  // A campaign that ends while the page is open is read again, for its completion time (the first read had
  // none). Until it is settled the subscription follows the messages already with Plivo when it was
  // cancelled; after that only late receipts move its figures, and the campaign is read again every
  // FINAL_REFRESH_MS.
  useEffect(() => {
    if (!final) {
      return;
    }
    if (!readFinal) {
      setReadVersion((v) => v + 1);
    }
    if (!settled) {
      return;
    }
    const timer = setInterval(() => setReadVersion((v) => v + 1), FINAL_REFRESH_MS);
    return () => clearInterval(timer);
  }, [final, readFinal, settled]);

  // The tables follow a settled campaign's progress as it is read again (and are read once when it settles).
  const settledUpdatedAt = settled ? progress?.updatedAt : undefined;
  useEffect(() => {
    if (settledUpdatedAt) {
      lastRefresh.current = Date.now();
      setRefreshVersion((v) => v + 1);
    }
  }, [settledUpdatedAt]);

  // Live progress: the subscription emits the current state at once, then every change.
  useEffect(
    () =>
      subscribe<{ campaignProgress: Progress }>(
        PROGRESS_SUBSCRIPTION,
        { id },
        ({ campaignProgress }) => {
          setProgress(campaignProgress);
          const now = Date.now();
          if (now - lastRefresh.current >= TABLE_REFRESH_MS && !isSettled(campaignProgress)) {
            lastRefresh.current = now;
            setRefreshVersion((v) => v + 1);
          }
          setPoints((current) => [...current, chartPoint(campaignProgress)].slice(-2000));
        },
        (message) => setError(`Live updates: ${message}`),
      ),
    [id, reload],
  );

  // The cost report reads every message of the campaign, so it is refreshed slowly (a cancelled campaign's too
  // while messages already with Plivo report and are charged), once more when it is settled, then more slowly
  // still (late reports).
  useEffect(() => {
    if (settled === undefined) {
      return;
    }
    let stopped = false;
    const load = () =>
      gql<{ campaign: { costReport: { perCountry: CountryCost[] } } | null }>(COST_REPORT, { id }).then(
        (data) => !stopped && data.campaign && setCosts(data.campaign.costReport),
        () => undefined,
      );
    void load();
    const timer = setInterval(() => void load(), settled ? FINAL_REFRESH_MS : COST_REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [id, settled]);

  // The status the server confirmed shows at once; live progress (resubscribed below) follows.
  function showStatus({ status, statusReason }: StatusChange) {
    setProgress((current) => current && { ...current, status, statusReason });
  }

  async function confirm() {
    if (!action) {
      return;
    }
    setBusy(true);
    setNotice(null);
    try {
      if (action === 'pause') {
        const data = await gql<{ pauseCampaign: StatusChange }>(PAUSE, { id });
        showStatus(data.pauseCampaign);
        setNotice('Paused. Batches already claimed still reach Plivo (see the note below).');
      } else if (action === 'resume') {
        const maxCost = budget.trim() === '' ? null : Number(budget);
        const data = await gql<{ resumeCampaign: StatusChange }>(RESUME, { id, maxCost });
        showStatus(data.resumeCampaign);
        setNotice('Resumed.');
      } else {
        const data = await gql<{
          cancelCampaign: StatusChange & {
            cancellation: { cancelledMessages: number; alreadyWithProvider: number } | null;
          };
        }>(CANCEL, { id });
        showStatus(data.cancelCampaign);
        const c = data.cancelCampaign.cancellation;
        setNotice(
          c
            ? `Cancelled: ${count(c.cancelledMessages)} messages stopped, ${count(c.alreadyWithProvider)} already with Plivo still go out.`
            : 'Cancelled.',
        );
      }
      setAction(null);
      setReload((n) => n + 1);
    } catch (caught) {
      setNotice(caught instanceof Error ? caught.message : 'The action failed');
    } finally {
      setBusy(false);
    }
  }

  if (notFound) {
    return (
      <main id="main">
        <h1>Campaign not found</h1>
        <Link href="/">Back to campaigns</Link>
      </main>
    );
  }
  if (!campaign || !progress) {
    return (
      <main id="main">
        <h1>Campaign</h1>
        {error ? <p role="alert" class="error">{error}</p> : <p>Loading…</p>}
      </main>
    );
  }

  return (
    <main id="main">
      <p class="crumbs">
        <Link href="/">Campaigns</Link> / {campaign.name || campaign.id}
      </p>
      <div class="page-head">
        <h1>{campaign.name || 'Campaign'}</h1>
        <StatusBadge status={progress.status} />
      </div>
      {progress.statusReason && (
        <p class="reason-box" role="status">
          <strong>Why: </strong>
          {progress.statusReason}
        </p>
      )}
      {error && <p role="alert" class="error">{error}</p>}
      {notice && <p role="status" class="notice">{notice}</p>}

      <section aria-labelledby="progress-title" class="card">
        <h2 id="progress-title">Progress</h2>
        <ProgressBar progress={progress} label="Campaign progress" />
        <dl class="counters">
          {COUNTERS.map(([key, label]) => (
            <div key={key}>
              <dt>{label}</dt>
              <dd data-counter={key}>{count(progress[key] as number)}</dd>
            </div>
          ))}
          <div>
            <dt>Cost so far</dt>
            <dd>{money(progress.cost)}</dd>
          </div>
          <div>
            <dt>Estimated</dt>
            <dd>{money(campaign.estimatedCost)}</dd>
          </div>
          {final ? (
            <div>
              <dt>Finished</dt>
              <dd>{dateTime(campaign.completedAt)}</dd>
            </div>
          ) : (
            <div>
              <dt>Expected to finish</dt>
              <dd>{dateTime(progress.estimatedCompletionAt)}</dd>
            </div>
          )}
        </dl>
        <div class="actions">
          {(progress.status === 'SENDING' || progress.status === 'QUEUED' || progress.status === 'SCHEDULED') && (
            <button type="button" onClick={() => setAction('pause')}>
              Pause
            </button>
          )}
          {progress.status === 'PAUSED' && (
            <button type="button" class="primary" onClick={() => setAction('resume')}>
              Resume…
            </button>
          )}
          {!final && (
            <button type="button" class="danger" onClick={() => setAction('cancel')}>
              Cancel campaign…
            </button>
          )}
          {/* A plain GET: the session cookie authenticates it (reads need no console header), campaigns:read. */}
          <a class="button" href={`/api/campaigns/${id}/messages.csv`} download>
            Export CSV
          </a>
          <a class="button" href={`/api/campaigns/${id}/messages.ndjson`} download>
            Export NDJSON
          </a>
        </div>
        <p class="hint" id="latency-note">
          Pausing or cancelling stops new batches at once; batches already claimed still reach Plivo: at most
          MPS × (lead + 0.5 s) messages (about 53 at 5 MPS with the default 10 s lead), and Plivo cannot withdraw
          a queued message.
        </p>
      </section>

      <section aria-labelledby="chart-title" class="card">
        <h2 id="chart-title">Over time</h2>
        <ProgressChart points={points} />
      </section>

      <div class="two-col">
        <section aria-labelledby="cost-title" class="card">
          <h2 id="cost-title">Cost by country</h2>
          {costs ? (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Country</th>
                    <th scope="col" class="num">Recipients</th>
                    <th scope="col" class="num">Estimated</th>
                    <th scope="col" class="num">Actual</th>
                    <th scope="col" class="num">Reported</th>
                  </tr>
                </thead>
                <tbody>
                  {costs.perCountry.map((row) => (
                    <tr key={row.country}>
                      <th scope="row">{row.country}</th>
                      <td class="num">{count(row.recipients)}</td>
                      <td class="num">{money(row.estimated)}</td>
                      <td class="num">{money(row.actual)}</td>
                      <td class="num">{count(row.reportedMessages)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p>Loading…</p>
          )}
        </section>
        <section aria-labelledby="errors-title" class="card">
          <h2 id="errors-title">Top error codes</h2>
          <ErrorCodes campaignId={id} version={refreshVersion} />
        </section>
      </div>

      <section aria-labelledby="text-title" class="card">
        <h2 id="text-title">Message</h2>
        <p class="sms-text">{campaign.text}</p>
        <p class="hint">
          From {campaign.senderId} · {campaign.encoding} · {campaign.segmentsPerMessage} segment(s) per message ·{' '}
          {count(campaign.rejectedRecipientCount)} recipient(s) rejected at acceptance · created {dateTime(campaign.createdAt)}
          {campaign.maxCost ? ` · budget ${money(campaign.maxCost)}` : ''}
        </p>
      </section>

      <section aria-labelledby="messages-title" class="card">
        <h2 id="messages-title">Messages</h2>
        <MessagesTable campaignId={id} version={refreshVersion} />
      </section>

      <ConfirmDialog
        open={action !== null}
        title={action === 'pause' ? 'Pause this campaign?' : action === 'resume' ? 'Resume this campaign?' : 'Cancel this campaign?'}
        confirmLabel={action === 'pause' ? 'Pause' : action === 'resume' ? 'Resume' : 'Cancel campaign'}
        danger={action === 'cancel'}
        busy={busy}
        onConfirm={() => void confirm()}
        onCancel={() => setAction(null)}
      >
        {action === 'resume' ? (
          <label>
            New budget ({progress.cost.currency}, optional)
            <input
              type="number"
              min="0"
              step="0.01"
              inputMode="decimal"
              value={budget}
              onInput={(e) => setBudget(e.currentTarget.value)}
              aria-describedby="budget-help"
            />
            <span id="budget-help" class="hint">
              Leave empty to keep {campaign.maxCost ? money(campaign.maxCost) : 'no budget'}.
            </span>
          </label>
        ) : (
          <p>
            {action === 'cancel'
              ? 'Messages not yet handed to Plivo are cancelled and never charged. This cannot be undone.'
              : 'No new batches are claimed until you resume.'}{' '}
            Messages already claimed still go out.
          </p>
        )}
      </ConfirmDialog>
    </main>
  );
}
