import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { CAMPAIGNS, PROGRESS_SUBSCRIPTION } from '../api/documents';
import { gql, subscribe } from '../api/graphql';
import { FINAL_STATUSES, type CampaignStatus, type CampaignSummary, type Progress } from '../api/types';
import { Link } from '../components/Link';
import { ProgressBar } from '../components/ProgressBar';
import { StatusBadge } from '../components/StatusBadge';
import { dateTime, money } from '../format';

const PAGE_SIZE = 20;
/** graphql-ws allows WS_MAX_SUBSCRIPTIONS_PER_CONNECTION (10) per connection; the campaign page may need one more. */
const LIVE_LIMIT = 8;
const REFRESH_MS = 15_000;

interface CampaignsData {
  campaigns: { edges: Array<{ node: CampaignSummary }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

/** A streamed snapshot, numbered in the order it arrived. */
interface LiveProgress {
  progress: Progress;
  seq: number;
}

export function CampaignsPage() {
  const [campaigns, setCampaigns] = useState<CampaignSummary[]>([]);
  const [pages, setPages] = useState(1);
  const [hasMore, setHasMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [search, setSearch] = useState('');
  const [statusFilter, setStatusFilter] = useState<'' | 'ACTIVE' | CampaignStatus>('');
  const [live, setLive] = useState<Record<string, LiveProgress>>({});
  // Counts the snapshots received, so that a reload knows which of them it read after.
  const received = useRef(0);

  // The newest pages, reloaded every REFRESH_MS so new campaigns appear; the live ones also stream.
  useEffect(() => {
    let stopped = false;
    async function load() {
      // A snapshot received before this reload was asked for is older than what it reads: the reload then
      // shows instead (a stream can end before the last reports, a cancelled campaign's for one).
      const readAfter = received.current;
      try {
        const loaded: CampaignSummary[] = [];
        let after: string | null = null;
        let more = false;
        for (let page = 0; page < pages; page++) {
          const data: CampaignsData = await gql<CampaignsData>(CAMPAIGNS, { first: PAGE_SIZE, after });
          loaded.push(...data.campaigns.edges.map((edge) => edge.node));
          more = data.campaigns.pageInfo.hasNextPage;
          after = data.campaigns.pageInfo.endCursor;
          if (!more) {
            break;
          }
        }
        if (!stopped) {
          setCampaigns(loaded);
          setLive((current) =>
            Object.fromEntries(Object.entries(current).filter(([, snapshot]) => snapshot.seq > readAfter)),
          );
          setHasMore(more);
          setError(null);
        }
      } catch (caught) {
        if (!stopped) {
          setError(caught instanceof Error ? caught.message : 'Could not load campaigns');
        }
      } finally {
        if (!stopped) {
          setLoading(false);
        }
      }
    }
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [pages]);

  const liveIds = useMemo(
    () =>
      campaigns
        .filter((c) => !FINAL_STATUSES.includes(c.status))
        .slice(0, LIVE_LIMIT)
        .map((c) => c.id),
    [campaigns],
  );
  useEffect(() => {
    const stops = liveIds.map((id) =>
      subscribe<{ campaignProgress: Progress }>(PROGRESS_SUBSCRIPTION, { id }, ({ campaignProgress }) => {
        const seq = ++received.current;
        setLive((current) => ({ ...current, [id]: { progress: campaignProgress, seq } }));
      }),
    );
    return () => stops.forEach((stop) => stop());
  }, [liveIds.join(',')]);

  const shown = campaigns
    .map((c) => {
      const progress = live[c.id]?.progress ?? c.progress;
      return { ...c, progress, status: progress.status, statusReason: progress.statusReason };
    })
    .filter((c) => {
      if (statusFilter === 'ACTIVE' && FINAL_STATUSES.includes(c.status)) {
        return false;
      }
      if (statusFilter && statusFilter !== 'ACTIVE' && c.status !== statusFilter) {
        return false;
      }
      const needle = search.trim().toLowerCase();
      return !needle || (c.name ?? '').toLowerCase().includes(needle) || c.id.startsWith(needle);
    });

  return (
    <main id="main">
      <div class="page-head">
        <h1>Campaigns</h1>
        <Link href="/campaigns/new" class="button primary">
          New campaign
        </Link>
      </div>
      <div class="filters" role="search">
        <label>
          Search by name or id
          <input type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </label>
        <label>
          Status
          <select value={statusFilter} onChange={(e) => setStatusFilter(e.currentTarget.value as typeof statusFilter)}>
            <option value="">All</option>
            <option value="ACTIVE">Not finished</option>
            {(['SCHEDULED', 'QUEUED', 'SENDING', 'PAUSED', 'COMPLETED', 'CANCELLED', 'FAILED'] as const).map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </label>
        <p class="hint">
          Filters apply to the {campaigns.length} newest campaigns loaded{hasMore ? '; load more to search further' : ''}.
        </p>
      </div>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {loading ? (
        <p>Loading…</p>
      ) : shown.length === 0 ? (
        <p>{campaigns.length === 0 ? 'No campaigns yet.' : 'No campaign matches.'}</p>
      ) : (
        <div class="table-wrap">
          <table class="campaigns">
            <caption class="visually-hidden">Campaigns, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Campaign</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col">Cost so far</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((c) => (
                <tr key={c.id} data-campaign-id={c.id}>
                  <td>
                    <Link href={`/campaigns/${c.id}`}>{c.name || c.id.slice(0, 8)}</Link>
                  </td>
                  <td>
                    <StatusBadge status={c.status} />
                    {c.statusReason && <div class="reason">{c.statusReason}</div>}
                  </td>
                  <td class="progress-cell">
                    <ProgressBar progress={c.progress} label={`Progress of ${c.name || c.id}`} />
                  </td>
                  <td>{money(c.progress.cost)}</td>
                  <td>{dateTime(c.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {hasMore && (
        <button type="button" onClick={() => setPages((n) => n + 1)}>
          Load {PAGE_SIZE} more
        </button>
      )}
    </main>
  );
}
