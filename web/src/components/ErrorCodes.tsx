import { useEffect, useState } from 'preact/hooks';
import { FAILED_MESSAGES } from '../api/documents';
import { gql } from '../api/graphql';
import { count } from '../format';
import { errorCodeMeaning } from '../plivo-error-codes';

/** At most this many messages per failing status are read for the summary: never the whole campaign. */
const SAMPLE = 500;
const FAILING = ['FAILED', 'UNDELIVERED', 'REJECTED'] as const;

interface Summary {
  rows: Array<{ code: string; count: number }>;
  sampled: number;
  total: number;
}

/**
 * The most frequent error codes among failed, undelivered and rejected messages, with Plivo's
 * meaning. Read from the messages connection, up to SAMPLE per status (the first ones sent), and
 * says so when a campaign has more.
 */
export function ErrorCodes({ campaignId, version }: { campaignId: string; version: number }) {
  const [summary, setSummary] = useState<Summary | null>(null);

  useEffect(() => {
    let stopped = false;
    void Promise.all(
      FAILING.map((status) =>
        gql<{ campaign: { messages: { totalCount: number; edges: Array<{ node: { errorCode: string | null } }> } } | null }>(
          FAILED_MESSAGES,
          { id: campaignId, status, first: SAMPLE },
        ),
      ),
    ).then(
      (pages) => {
        const counts = new Map<string, number>();
        let sampled = 0;
        let total = 0;
        for (const page of pages) {
          const messages = page.campaign?.messages;
          total += messages?.totalCount ?? 0;
          for (const edge of messages?.edges ?? []) {
            sampled++;
            const code = edge.node.errorCode ?? 'none';
            counts.set(code, (counts.get(code) ?? 0) + 1);
          }
        }
        const rows = [...counts].map(([code, n]) => ({ code, count: n })).sort((a, b) => b.count - a.count);
        if (!stopped) {
          setSummary({ rows: rows.slice(0, 8), sampled, total });
        }
      },
      () => undefined,
    );
    return () => {
      stopped = true;
    };
  }, [campaignId, version]);

  if (!summary) {
    return <p>Loading…</p>;
  }
  if (summary.rows.length === 0) {
    return <p>No failed messages.</p>;
  }
  return (
    <>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Meaning</th>
              <th scope="col" class="num">Messages</th>
            </tr>
          </thead>
          <tbody>
            {summary.rows.map((row) => (
              <tr key={row.code}>
                <th scope="row">{row.code}</th>
                <td>{row.code === 'none' ? 'No code reported' : errorCodeMeaning(row.code)}</td>
                <td class="num">{count(row.count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {summary.sampled < summary.total && (
        <p class="hint">
          Counted over the first {count(summary.sampled)} of {count(summary.total)} failed messages.
        </p>
      )}
    </>
  );
}
