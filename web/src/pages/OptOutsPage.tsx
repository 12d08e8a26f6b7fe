import { useEffect, useState } from 'preact/hooks';
import {
  ADD_SUPPRESSIONS,
  CHECK_NUMBERS,
  REMOVE_SUPPRESSION,
  SUPPRESSIONS,
  SUPPRESSIONS_EXPORT,
} from '../api/documents';
import { gql } from '../api/graphql';
import type { AddSuppressionsResult, Connection, Suppression } from '../api/types';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { DefaultCountryField } from '../components/DefaultCountryField';
import { Link } from '../components/Link';
import { Pager, useCursorPages } from '../components/Pager';
import { count, dateTime } from '../format';
import { importRows, suppressionsCsv, type ImportRow } from '../suppressions/suppression-csv';
import { DataTable } from '../components/DataTable';

const PAGE_SIZE = 25;
const EXPORT_PAGE = 500;
/** addSuppressions takes at most 100,000 numbers a call; a browser import stays well under that per call. */
const ADD_CHUNK = 10_000;
/** Reasons the quote gives that do not make a number bad for the opt-out list. */
const NOT_BAD = new Set(['duplicate', 'SUPPRESSED']);

interface SuppressionsData {
  suppressions: Connection<Suppression> & { totalCount: number };
}

const SOURCE_LABELS: Record<Suppression['source'], string> = {
  INBOUND_KEYWORD: 'Replied STOP',
  CARRIER_OPT_OUT: 'Carrier opt-out',
  API: 'Added by hand or API',
  CSV_IMPORT: 'CSV import',
};

/**
 * Checks the numbers with the server's own parser (through the quote), then adds the valid ones.
 * addSuppressions is all or nothing, so a bad row would otherwise refuse the whole file.
 */
async function addNumbers(
  rows: ImportRow[],
  reason: string,
  defaultCountry: string,
  source: 'API' | 'CSV_IMPORT',
): Promise<{ result: AddSuppressionsResult; bad: Array<ImportRow & { reason: string }> }> {
  const check = await gql<{ quote: { rejectedRecipients: Array<{ input: string; reason: string }> } }>(CHECK_NUMBERS, {
    input: { text: '.', recipients: rows.map((r) => r.phone), defaultCountry: defaultCountry || null },
  });
  const badReasons = new Map(
    check.quote.rejectedRecipients.filter((r) => !NOT_BAD.has(r.reason)).map((r) => [r.input, r.reason]),
  );
  const bad = rows.flatMap((r) => (badReasons.has(r.phone) ? [{ ...r, reason: badReasons.get(r.phone)! }] : []));
  const good = [...new Set(rows.filter((r) => !badReasons.has(r.phone)).map((r) => r.phone))];
  const result: AddSuppressionsResult = { added: 0, alreadySuppressed: 0, messagesSuppressed: 0 };
  for (let i = 0; i < good.length; i += ADD_CHUNK) {
    const { addSuppressions } = await gql<{ addSuppressions: AddSuppressionsResult }>(ADD_SUPPRESSIONS, {
      input: {
        phones: good.slice(i, i + ADD_CHUNK),
        reason: reason || null,
        defaultCountry: defaultCountry || null,
        source,
      },
    });
    result.added += addSuppressions.added;
    result.alreadySuppressed += addSuppressions.alreadySuppressed;
    result.messagesSuppressed += addSuppressions.messagesSuppressed;
  }
  return { result, bad };
}

function download(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function OptOutsPage() {
  const [search, setSearch] = useState('');
  const [appliedSearch, setAppliedSearch] = useState('');
  const pages = useCursorPages();
  const [data, setData] = useState<SuppressionsData['suppressions'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [numbers, setNumbers] = useState('');
  const [reason, setReason] = useState('');
  const [defaultCountry, setDefaultCountry] = useState('');
  // The import's own: it never takes what is typed in the Add numbers form.
  const [importReason, setImportReason] = useState('');
  const [importCountry, setImportCountry] = useState('');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [badRows, setBadRows] = useState<Array<ImportRow & { reason: string }>>([]);
  const [removing, setRemoving] = useState<string | null>(null);

  const after = pages.after;
  useEffect(() => {
    let stopped = false;
    gql<SuppressionsData>(SUPPRESSIONS, { first: PAGE_SIZE, after, search: appliedSearch || null }).then(
      (result) => {
        if (!stopped) {
          setData(result.suppressions);
          setError(null);
        }
      },
      (caught: unknown) => !stopped && setError(caught instanceof Error ? caught.message : 'Could not load the list'),
    );
    return () => {
      stopped = true;
    };
  }, [after, appliedSearch, reload]);

  async function add(rows: ImportRow[], source: 'API' | 'CSV_IMPORT', what: string, why: string, country: string) {
    setBusy(true);
    setNotice(null);
    setBadRows([]);
    try {
      const { result, bad } = await addNumbers(rows, why, country, source);
      setBadRows(bad);
      setNotice(
        `${what}: ${count(result.added)} added, ${count(result.alreadySuppressed)} already on the list` +
          (result.messagesSuppressed ? `, ${count(result.messagesSuppressed)} waiting message(s) suppressed` : '') +
          (bad.length ? `; ${count(bad.length)} row(s) not added (below).` : '.'),
      );
      pages.reset();
      setReload((n) => n + 1);
      return bad.length === 0;
    } catch (caught) {
      setNotice(caught instanceof Error ? caught.message : 'Adding failed');
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function onImport(event: Event) {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) {
      return;
    }
    const rows = importRows(await file.text());
    input.value = '';
    if (rows.length === 0) {
      setNotice(`${file.name}: no numbers found (the first column holds them).`);
      return;
    }
    await add(rows, 'CSV_IMPORT', `Imported ${file.name}`, importReason, importCountry);
  }

  async function onExport() {
    setBusy(true);
    try {
      const all: Suppression[] = [];
      let cursor: string | null = null;
      for (;;) {
        const page: { suppressions: Connection<Suppression> } = await gql(SUPPRESSIONS_EXPORT, {
          first: EXPORT_PAGE,
          after: cursor,
        });
        all.push(...page.suppressions.edges.map((e) => e.node));
        if (!page.suppressions.pageInfo.hasNextPage) {
          break;
        }
        cursor = page.suppressions.pageInfo.endCursor;
      }
      download('opt-outs.csv', suppressionsCsv(all));
      setNotice(`Exported ${count(all.length)} number(s).`);
    } catch (caught) {
      setNotice(caught instanceof Error ? caught.message : 'The export failed');
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    if (!removing) {
      return;
    }
    setBusy(true);
    try {
      const lifted = await gql<{ removeSuppression: boolean }>(REMOVE_SUPPRESSION, {
        phone: removing,
        reason: 'removed in the console',
      });
      setNotice(
        lifted.removeSuppression ? `${removing} can receive messages again.` : `${removing} was not on the list.`,
      );
      setRemoving(null);
      setReload((n) => n + 1);
    } catch (caught) {
      setNotice(caught instanceof Error ? caught.message : 'Removing failed');
    } finally {
      setBusy(false);
    }
  }

  const list = data;
  return (
    <main id="main">
      <h1>Opt-outs</h1>
      <p class="hint">
        Numbers on this list are never sent to: campaigns reject them (reason SUPPRESSED) and waiting messages to a
        number added here are suppressed at once. See docs/consent.md for STOP keywords and carrier opt-outs.
      </p>
      {notice && (
        <p role="status" class="notice">
          {notice}
        </p>
      )}
      {badRows.length > 0 && (
        <div role="alert" class="error">
          <p>{count(badRows.length)} row(s) not added:</p>
          <ul class="rejected">
            {badRows.slice(0, 20).map((r) => (
              <li key={r.row}>
                Row {r.row}: <code>{r.phone}</code> — {r.reason}
              </li>
            ))}
          </ul>
        </div>
      )}

      <section class="card" aria-labelledby="add-title">
        <h2 id="add-title">Add numbers</h2>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const rows = numbers
              .split(/\r?\n/)
              .map((line, i) => ({ row: i + 1, phone: line.trim() }))
              .filter((r) => r.phone);
            if (rows.length) {
              void add(rows, 'API', 'Added', reason, defaultCountry).then((clean) => clean && setNumbers(''));
            }
          }}
        >
          <label>
            Numbers to add, one per line
            <textarea rows={4} value={numbers} onInput={(e) => setNumbers(e.currentTarget.value)} name="numbers" />
          </label>
          <div class="row">
            <label>
              Reason (optional, kept with each entry)
              <input value={reason} maxLength={200} onInput={(e) => setReason(e.currentTarget.value)} name="reason" />
            </label>
            <DefaultCountryField value={defaultCountry} onChange={setDefaultCountry} />
          </div>
          <div class="actions">
            <button type="submit" class="primary" disabled={busy || !numbers.trim()}>
              Add to the list
            </button>
          </div>
        </form>
        <h3 id="import-title">Import and export</h3>
        <div class="row">
          <label>
            Import reason (optional; empty: imported from CSV)
            <input
              value={importReason}
              maxLength={200}
              onInput={(e) => setImportReason(e.currentTarget.value)}
              name="importReason"
            />
          </label>
          <DefaultCountryField
            value={importCountry}
            onChange={setImportCountry}
            label="Import default country (for national numbers)"
          />
        </div>
        <div class="actions">
          <label>
            Import a CSV file (first column: the number; a header row is skipped)
            <input
              type="file"
              accept=".csv,text/csv,text/plain"
              disabled={busy}
              onChange={(e) => void onImport(e)}
              name="import"
            />
          </label>
        </div>
        <div class="actions">
          <button type="button" disabled={busy} onClick={() => void onExport()}>
            Export CSV
          </button>
        </div>
      </section>

      <section class="card" aria-labelledby="list-title">
        <h2 id="list-title">The list</h2>
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
            Search numbers (digits anywhere)
            <input
              type="search"
              value={search}
              placeholder="415555"
              onInput={(e) => setSearch(e.currentTarget.value)}
            />
          </label>
          <button type="submit">Search</button>
        </form>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        {list && (
          <>
            <p class="hint" aria-live="polite">
              {count(list.totalCount)} number(s){appliedSearch ? ` matching ${appliedSearch}` : ''}; page {pages.number}
              .
            </p>
            <DataTable
              class="suppressions"
              columns={['Number', 'Source', 'Reason', 'Campaign', 'Added', { label: 'Actions', hidden: true }]}
            >
              {list.edges.map(({ node }) => (
                <tr key={node.phone}>
                  <td class="mono">{node.phone}</td>
                  <td>{SOURCE_LABELS[node.source] ?? node.source}</td>
                  <td>{node.reason}</td>
                  <td>{node.campaignId ? <Link href={`/campaigns/${node.campaignId}`}>open</Link> : '—'}</td>
                  <td>{dateTime(node.createdAt)}</td>
                  <td>
                    {!node.phone.startsWith('erased:') && (
                      <button type="button" aria-label={`Remove ${node.phone}`} onClick={() => setRemoving(node.phone)}>
                        Remove…
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </DataTable>
            <Pager pages={pages} pageInfo={list.pageInfo} label="Pages of the opt-out list" />
          </>
        )}
      </section>

      <ConfirmDialog
        open={removing !== null}
        title="Remove from the opt-out list?"
        confirmLabel="Remove"
        danger
        busy={busy}
        onConfirm={() => void remove()}
        onCancel={() => setRemoving(null)}
      >
        <p>
          {removing} will receive messages again. Do this only when the person asked to (an OPT_IN consent record is
          kept).
        </p>
      </ConfirmDialog>
    </main>
  );
}
