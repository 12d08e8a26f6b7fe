import { useEffect, useState } from 'preact/hooks';
import { MESSAGES, MESSAGES_TO } from '../api/documents';
import { gql } from '../api/graphql';
import { MESSAGE_STATUSES, type Connection, type MessageRow, type MessageStatus } from '../api/types';
import { count, dateTime, money } from '../format';
import { Pager, useCursorPages } from './Pager';

const PAGE_SIZE = 25;

interface MessagesData {
  campaign: { messages: Connection<MessageRow> & { totalCount: number } } | null;
}

/**
 * One page of messages at a time from the messages connection (keyset cursors), so a campaign of a
 * million messages reads 25 rows. `version` changes as the campaign progresses: the page shown is
 * read again then.
 */
export function MessagesTable({ campaignId, version }: { campaignId: string; version: number }) {
  const [status, setStatus] = useState<MessageStatus | ''>('');
  const [search, setSearch] = useState('');
  const [appliedSearch, setAppliedSearch] = useState('');
  const pages = useCursorPages();
  // With the query it answers: rows are shown only under their own query's label, never under a new
  // query's that failed (an invalid number) or is still loading.
  const [data, setData] = useState<{ query: string; campaign: MessagesData['campaign'] } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const after = pages.after;
  const query = JSON.stringify([status, after, appliedSearch]);
  useEffect(() => {
    let stopped = false;
    gql<MessagesData>(appliedSearch ? MESSAGES_TO : MESSAGES, {
      id: campaignId,
      status: status || null,
      first: PAGE_SIZE,
      after,
      ...(appliedSearch && { to: appliedSearch }),
    }).then(
      (result) => {
        if (!stopped) {
          setData({ query, campaign: result.campaign });
          setError(null);
        }
      },
      (caught: unknown) => !stopped && setError(caught instanceof Error ? caught.message : 'Could not load messages'),
    );
    return () => {
      stopped = true;
    };
  }, [campaignId, status, after, appliedSearch, query, version]);

  const messages = data?.query === query ? data.campaign?.messages : undefined;
  return (
    <div>
      <form
        class="filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          pages.reset();
          setAppliedSearch(search.trim());
        }}
      >
        <label>
          Status
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.currentTarget.value as MessageStatus | '');
              pages.reset();
            }}
          >
            <option value="">All</option>
            {MESSAGE_STATUSES.map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Phone number (E.164)
          <input type="search" value={search} placeholder="+14155550100" onInput={(e) => setSearch(e.currentTarget.value)} />
        </label>
        <button type="submit">Search</button>
      </form>
      {error && <p role="alert" class="error">{error}</p>}
      {messages && (
        <>
          <p class="hint" aria-live="polite">
            {count(messages.totalCount)} message(s){status ? ` ${status}` : ''}
            {appliedSearch ? ` to ${appliedSearch}` : ''}; page {pages.number}.
          </p>
          <div class="table-wrap">
            <table class="messages">
              <thead>
                <tr>
                  <th scope="col">To</th>
                  <th scope="col">Country</th>
                  <th scope="col">Status</th>
                  <th scope="col">Error</th>
                  <th scope="col" class="num">Units</th>
                  <th scope="col" class="num">Cost</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {messages.edges.map(({ node }) => (
                  <tr key={node.id}>
                    <td class="mono">{node.to}</td>
                    <td>{node.country ?? '—'}</td>
                    <td>{node.status}</td>
                    <td>{node.errorCode ?? ''}</td>
                    <td class="num">{node.units ?? ''}</td>
                    <td class="num">{money(node.cost)}</td>
                    <td>{dateTime(node.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager pages={pages} pageInfo={messages.pageInfo} label="Pages of messages" />
        </>
      )}
    </div>
  );
}
