import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { QUOTE, SEND_BULK } from '../api/documents';
import { gql } from '../api/graphql';
import type { Quote } from '../api/types';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { HighlightedText } from '../components/HighlightedText';
import {
  csvRecipients,
  guessColumn,
  parseCsv,
  pastedRecipients,
  sendBulkRecipients,
  type ParsedCsv,
  type RecipientSource,
} from '../recipients/recipient-source';
import { navigate } from '../router';
import { count, money } from '../format';

/** Above this many recipients the quote is asked for with a button, not on every change. */
const AUTO_QUOTE_MAX = 10_000;

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

export function NewCampaignPage() {
  const [name, setName] = useState('');
  const [senderId, setSenderId] = useState('');
  const [defaultCountry, setDefaultCountry] = useState('');
  const [mode, setMode] = useState<'paste' | 'csv'>('paste');
  const [pasted, setPasted] = useState('');
  const [csv, setCsv] = useState<ParsedCsv | null>(null);
  const [column, setColumn] = useState(0);
  const [hasHeader, setHasHeader] = useState(true);
  const [text, setText] = useState('');
  const [smartEncoding, setSmartEncoding] = useState(false);
  const [budget, setBudget] = useState('');
  const [schedule, setSchedule] = useState('');
  const [textInfo, setTextInfo] = useState<Quote | null>(null);
  const [quote, setQuote] = useState<Quote | null>(null);
  const [quoteError, setQuoteError] = useState<string | null>(null);
  const [quoting, setQuoting] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [sending, setSending] = useState(false);
  const [sendError, setSendError] = useState<string | null>(null);
  const idempotencyKey = useRef(crypto.randomUUID());

  const source: RecipientSource = useMemo(
    () => (mode === 'csv' && csv ? csvRecipients(csv, column, hasHeader) : pastedRecipients(pasted)),
    [mode, csv, column, hasHeader, pasted],
  );

  // The live counter: the server's own count (the same code that bills), for the text alone.
  const debouncedText = useDebounced(text, 200);
  useEffect(() => {
    let stopped = false;
    if (!debouncedText) {
      setTextInfo(null);
      return;
    }
    gql<{ quote: Quote }>(QUOTE, { input: { text: debouncedText, recipients: [], smartEncoding } }).then(
      (data) => !stopped && setTextInfo(data.quote),
      () => undefined,
    );
    return () => {
      stopped = true;
    };
  }, [debouncedText, smartEncoding]);

  async function runQuote() {
    if (!text || source.recipients.length === 0) {
      setQuote(null);
      return;
    }
    setQuoting(true);
    try {
      const data = await gql<{ quote: Quote }>(QUOTE, {
        input: { text, ...sendBulkRecipients(source), smartEncoding, defaultCountry: defaultCountry || null },
      });
      setQuote(data.quote);
      setQuoteError(null);
    } catch (caught) {
      setQuote(null);
      setQuoteError(caught instanceof Error ? caught.message : 'The quote failed');
    } finally {
      setQuoting(false);
    }
  }

  const quoteKey = useDebounced(`${text}|${smartEncoding}|${defaultCountry}|${source.recipients.join(',')}`, 600);
  useEffect(() => {
    if (source.recipients.length <= AUTO_QUOTE_MAX) {
      void runQuote();
    } else {
      setQuote(null);
    }
  }, [quoteKey]);

  async function onFile(event: Event) {
    const file = (event.currentTarget as HTMLInputElement).files?.[0];
    if (!file) {
      return;
    }
    const parsed = parseCsv(file.name, await file.text());
    const guess = guessColumn(parsed);
    setCsv(parsed);
    setColumn(guess.column);
    setHasHeader(guess.hasHeader);
  }

  async function send() {
    setSending(true);
    setSendError(null);
    try {
      const data = await gql<{ sendBulk: { id: string } }>(SEND_BULK, {
        input: {
          ...sendBulkRecipients(source),
          text,
          name: name || null,
          senderId: senderId || null,
          defaultCountry: defaultCountry || null,
          smartEncoding,
          maxCost: budget ? Number(budget) : null,
          scheduledAt: schedule ? new Date(schedule).toISOString() : null,
          idempotencyKey: idempotencyKey.current,
        },
      });
      navigate(`/campaigns/${data.sendBulk.id}`);
    } catch (caught) {
      setConfirming(false);
      setSendError(caught instanceof Error ? caught.message : 'Sending failed');
    } finally {
      setSending(false);
    }
  }

  const rejected = quote?.rejectedRecipients ?? [];
  const rowsOf = (input: string) =>
    source.recipients.flatMap((value, index) => (value === input ? [source.rowNumbers[index]] : []));
  const info = textInfo;

  return (
    <main id="main">
      <h1>New campaign</h1>
      <form
        class="new-campaign"
        onSubmit={(event) => {
          event.preventDefault();
          setConfirming(true);
        }}
      >
        <section class="card" aria-labelledby="recipients-title">
          <h2 id="recipients-title">Recipients</h2>
          <fieldset class="tabs">
            <legend class="visually-hidden">Recipients from</legend>
            <label>
              <input type="radio" name="mode" checked={mode === 'paste'} onChange={() => setMode('paste')} /> Paste numbers
            </label>
            <label>
              <input type="radio" name="mode" checked={mode === 'csv'} onChange={() => setMode('csv')} /> CSV file
            </label>
          </fieldset>
          {mode === 'paste' ? (
            <label>
              Phone numbers, one per line (E.164, or national with a default country)
              <textarea rows={6} value={pasted} onInput={(e) => setPasted(e.currentTarget.value)} name="recipients" />
            </label>
          ) : (
            <>
              <label>
                CSV file
                <input type="file" accept=".csv,text/csv,text/plain" onChange={(e) => void onFile(e)} name="csv" />
              </label>
              {csv && (
                <div class="mapping">
                  <label>
                    Column with the phone number
                    <select value={column} onChange={(e) => setColumn(Number(e.currentTarget.value))} name="column">
                      {Array.from({ length: csv.columnCount }, (_, i) => (
                        <option value={i}>
                          {hasHeader && csv.rows[0]?.[i] ? csv.rows[0][i] : `Column ${i + 1}`}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label class="inline">
                    <input type="checkbox" checked={hasHeader} onChange={(e) => setHasHeader(e.currentTarget.checked)} /> First
                    row is a header
                  </label>
                  <div class="table-wrap">
                    <table>
                      <caption>First rows of {csv.fileName}</caption>
                      <tbody>
                        {csv.rows.slice(0, 4).map((row, r) => (
                          <tr key={r}>
                            <th scope="row">{r + 1}</th>
                            {row.map((cell, c) => (
                              <td class={c === column ? 'picked' : ''}>{cell}</td>
                            ))}
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                </div>
              )}
            </>
          )}
          <div class="row">
            <label>
              Default country (for national numbers)
              <input
                value={defaultCountry}
                maxLength={2}
                placeholder="US"
                pattern="[A-Za-z]{2}"
                onInput={(e) => setDefaultCountry(e.currentTarget.value.toUpperCase())}
              />
            </label>
          </div>
          <p class="hint" aria-live="polite">
            {count(source.recipients.length)} recipient(s) {source.recipients.length ? `(${source.description})` : ''}
          </p>
          {rejected.length > 0 && (
            <div role="alert" class="error">
              <p>
                {count(rejected.length)} row(s) will not be sent:
              </p>
              <ul class="rejected">
                {rejected.slice(0, 20).map((r, i) => {
                  const rows = rowsOf(r.input);
                  return (
                    <li key={i}>
                      {rows.length ? `Row ${rows.slice(r.reason === 'duplicate' ? 1 : 0, 3).join(', ') || rows[0]}: ` : ''}
                      <code>{r.input}</code> — {r.reason}
                    </li>
                  );
                })}
              </ul>
            </div>
          )}
        </section>

        <section class="card" aria-labelledby="text-title">
          <h2 id="text-title">Message</h2>
          <label>
            Name (optional)
            <input value={name} onInput={(e) => setName(e.currentTarget.value)} name="name" maxLength={200} />
          </label>
          <label>
            Sender ID (optional: the configured sender otherwise)
            <input value={senderId} onInput={(e) => setSenderId(e.currentTarget.value)} name="senderId" />
          </label>
          <label for="text">Text</label>
          <textarea
            id="text"
            name="text"
            rows={5}
            required
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
            aria-describedby="text-counter"
          />
          <p id="text-counter" class="counter" aria-live="polite">
            {info
              ? `${count(info.characters)} characters · ${info.encoding === 'GSM7' ? 'GSM-7' : 'UCS-2'} · ${info.segments} segment(s)`
              : '0 characters'}
          </p>
          {info && info.unicodeCharacters.length > 0 && (
            <div class="ucs2">
              <p>
                These characters force UCS-2 (up to 70 characters per segment instead of 160):{' '}
                {info.unicodeCharacters.map((c) => (
                  <mark key={c}>{c}</mark>
                ))}
              </p>
              <HighlightedText text={text} unicode={info.unicodeCharacters} />
            </div>
          )}
          <label class="inline">
            <input type="checkbox" checked={smartEncoding} onChange={(e) => setSmartEncoding(e.currentTarget.checked)} name="smartEncoding" />{' '}
            Smart encoding: replace look-alike characters (curly quotes, dashes…) with GSM-7 ones
          </label>
          {smartEncoding && info && info.text !== text && (
            <p class="hint">
              Will be sent as: <span class="sms-text">{info.text}</span>
            </p>
          )}
        </section>

        <section class="card" aria-labelledby="quote-title">
          <h2 id="quote-title">Quote</h2>
          {source.recipients.length > AUTO_QUOTE_MAX && (
            <button type="button" onClick={() => void runQuote()} disabled={quoting}>
              {quoting ? 'Quoting…' : 'Get quote'}
            </button>
          )}
          {quoteError && <p role="alert" class="error">{quoteError}</p>}
          {quote ? (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Country</th>
                    <th scope="col" class="num">Recipients</th>
                    <th scope="col" class="num">Price per segment</th>
                    <th scope="col" class="num">Cost</th>
                  </tr>
                </thead>
                <tbody>
                  {quote.perCountry.map((row) => (
                    <tr key={row.country}>
                      <th scope="row">{row.country}</th>
                      <td class="num">{count(row.recipients)}</td>
                      <td class="num">{money(row.pricePerSegment)}</td>
                      <td class="num">{money(row.cost)}</td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row">Total</th>
                    <td class="num">{count(quote.recipients)}</td>
                    <td />
                    <td class="num" data-quote-total>
                      {money(quote.totalCost)}
                    </td>
                  </tr>
                </tfoot>
              </table>
            </div>
          ) : (
            <p class="hint">{quoting ? 'Quoting…' : 'Add recipients and a text to see the cost per country.'}</p>
          )}
          <div class="row">
            <label>
              Budget (optional: refuse, or pause, beyond it)
              <input type="number" min="0" step="0.01" inputMode="decimal" value={budget} onInput={(e) => setBudget(e.currentTarget.value)} name="budget" />
            </label>
            <label>
              Send at (optional, your local time)
              <input type="datetime-local" value={schedule} onInput={(e) => setSchedule(e.currentTarget.value)} name="schedule" />
            </label>
          </div>
        </section>

        {sendError && <p role="alert" class="error">{sendError}</p>}
        <button type="submit" class="primary" disabled={!text || source.recipients.length === 0}>
          Review and send…
        </button>
      </form>
      <ConfirmDialog
        open={confirming}
        title="Send this campaign?"
        confirmLabel={schedule ? 'Schedule' : 'Send now'}
        busy={sending}
        onConfirm={() => void send()}
        onCancel={() => setConfirming(false)}
      >
        <p>
          {count(quote?.recipients ?? source.recipients.length)} recipient(s),{' '}
          {info ? `${info.segments} segment(s) each` : ''}
          {quote ? `, estimated ${money(quote.totalCost)}` : ''}
          {schedule ? `, at ${new Date(schedule).toLocaleString()}` : ', now'}.
        </p>
      </ConfirmDialog>
    </main>
  );
}
