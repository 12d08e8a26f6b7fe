import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { QUOTE, SEND_BULK } from '../api/documents';
import { gql } from '../api/graphql';
import { uploadRecipientList } from '../api/recipient-lists';
import type { Quote } from '../api/types';
import { CheckboxGroup } from '../components/CheckboxGroup';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { DefaultCountryField } from '../components/DefaultCountryField';
import { HighlightedText } from '../components/HighlightedText';
import {
  guessColumn,
  pastedRecipients,
  previewCsv,
  recipientCount,
  rowFields,
  sendBulkRecipients,
  type CsvPreview,
  type RecipientSource,
  type UploadedRecipients,
} from '../recipients/recipient-source';
import { fieldReference, renderPreview, usesTemplate, type PreviewLine } from '../recipients/template-preview';
import { navigate } from '../router';
import { count, money } from '../format';

const WEEKDAYS: Array<[string, string]> = [
  ['MON', 'Mon'],
  ['TUE', 'Tue'],
  ['WED', 'Wed'],
  ['THU', 'Thu'],
  ['FRI', 'Fri'],
  ['SAT', 'Sat'],
  ['SUN', 'Sun'],
];
const WEEKDAY_OPTIONS = WEEKDAYS.map(([value, label]) => ({ value, label: ` ${label}` }));
const TIME_PATTERN = '([01][0-9]|2[0-3]):[0-5][0-9]|24:00';

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
  const [file, setFile] = useState<File | null>(null);
  const [csv, setCsv] = useState<CsvPreview | null>(null);
  const [column, setColumn] = useState(0);
  const [uploaded, setUploaded] = useState<UploadedRecipients | null>(null);
  const [uploading, setUploading] = useState(false);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const [preview, setPreview] = useState<PreviewLine[]>([]);
  const [quietHours, setQuietHours] = useState(false);
  const [windowStart, setWindowStart] = useState('09:00');
  const [windowEnd, setWindowEnd] = useState('20:00');
  const [windowDays, setWindowDays] = useState<string[]>(WEEKDAYS.map(([day]) => day));
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

  const pastedSource = useMemo(() => pastedRecipients(pasted), [pasted]);
  const source: RecipientSource | null = mode === 'csv' ? uploaded : pastedSource;
  const recipients = source ? recipientCount(source) : 0;
  const sendWindow = quietHours
    ? { start: windowStart, end: windowEnd, days: windowDays.length === WEEKDAYS.length ? null : windowDays }
    : null;

  // The file goes to the server as a recipient list, again whenever the phone column or the default country changes.
  const uploadCountry = /^[A-Z]{2}$/.test(defaultCountry) ? defaultCountry : '';
  useEffect(() => {
    if (!file) {
      return;
    }
    let stopped = false;
    setUploading(true);
    setUploadError(null);
    setUploaded(null);
    uploadRecipientList(file, column + 1, uploadCountry).then(
      (list) => !stopped && setUploaded({ kind: 'uploaded', list, description: `${file.name}, column "${list.phoneColumn}"` }),
      (caught: unknown) => !stopped && setUploadError(caught instanceof Error ? caught.message : 'The upload failed'),
    ).finally(() => !stopped && setUploading(false));
    return () => {
      stopped = true;
    };
  }, [file, column, uploadCountry]);

  // The template preview: the text rendered for the file's first rows, in the browser.
  const debouncedPreviewText = useDebounced(text, 200);
  useEffect(() => {
    let stopped = false;
    if (mode !== 'csv' || !csv || !usesTemplate(debouncedPreviewText)) {
      setPreview([]);
      return;
    }
    void renderPreview(
      debouncedPreviewText,
      csv.rows.map((row) => rowFields(csv, row)),
    ).then((lines) => !stopped && setPreview(lines));
    return () => {
      stopped = true;
    };
  }, [mode, csv, debouncedPreviewText]);

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
    if (!text || !source || recipients === 0) {
      setQuote(null);
      return;
    }
    setQuoting(true);
    try {
      const data = await gql<{ quote: Quote }>(QUOTE, {
        input: {
          text,
          ...sendBulkRecipients(source),
          smartEncoding,
          defaultCountry: defaultCountry || null,
          sendWindow,
        },
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

  const sourceKey = !source ? '' : source.kind === 'inline' ? source.recipients.join(',') : source.list.id;
  const quoteKey = useDebounced(
    `${text}|${smartEncoding}|${defaultCountry}|${sourceKey}|${JSON.stringify(sendWindow)}`,
    600,
  );
  useEffect(() => {
    if (recipients <= AUTO_QUOTE_MAX) {
      void runQuote();
    } else {
      setQuote(null);
    }
  }, [quoteKey]);

  async function onFile(event: Event) {
    const picked = (event.currentTarget as HTMLInputElement).files?.[0];
    if (!picked) {
      return;
    }
    const parsed = await previewCsv(picked);
    setCsv(parsed);
    setColumn(guessColumn(parsed));
    setFile(picked);
  }

  async function send() {
    if (!source) {
      return;
    }
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
          sendWindow,
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

  // Rows refused: by the upload (with their row numbers), else by the quote (pasted numbers: their line numbers).
  const rejectedLines: Array<{ rows: number[]; input: string; reason: string }> =
    source?.kind === 'uploaded'
      ? source.list.rejectedRows.map((r) => ({ rows: [r.row], input: r.input, reason: r.reason }))
      : (quote?.rejectedRecipients ?? []).map((r) => ({
          rows: pastedSource.recipients.flatMap((value, index) => (value === r.input ? [pastedSource.rowNumbers[index]] : [])),
          input: r.input,
          reason: r.reason,
        }));
  const rejectedTotal = source?.kind === 'uploaded' ? source.list.rejected : rejectedLines.length;
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
                      {csv.header.map((name, i) => (
                        <option key={i} value={i}>
                          {name || `Column ${i + 1}`}
                        </option>
                      ))}
                    </select>
                  </label>
                  <p class="hint">
                    The first row is the header: the other columns are fields the text can use, e.g.{' '}
                    <code>{`{{ ${csv.header.find((_, i) => i !== column) || 'name'} }}`}</code>.
                  </p>
                  <div class="table-wrap">
                    <table>
                      <caption>First rows of {csv.fileName}</caption>
                      <thead>
                        <tr>
                          <th scope="col">Row</th>
                          {csv.header.map((name, c) => (
                            <th scope="col" key={c} class={c === column ? 'picked' : ''}>
                              {name}
                            </th>
                          ))}
                        </tr>
                      </thead>
                      <tbody>
                        {csv.rows.slice(0, 4).map((row, r) => (
                          <tr key={r}>
                            <th scope="row">{r + 2}</th>
                            {row.map((cell, c) => (
                              <td key={c} class={c === column ? 'picked' : ''}>
                                {cell}
                              </td>
                            ))}
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                </div>
              )}
              {uploadError && (
                <p role="alert" class="error">
                  {uploadError}
                </p>
              )}
            </>
          )}
          <div class="row">
            <DefaultCountryField value={defaultCountry} onChange={setDefaultCountry} />
          </div>
          <p class="hint" aria-live="polite">
            {uploading
              ? 'Uploading the list…'
              : `${count(recipients)} recipient(s) ${recipients && source ? `(${source.description})` : ''}`}
          </p>
          {rejectedTotal > 0 && (
            <div role="alert" class="error">
              <p>
                {count(rejectedTotal)} row(s) will not be sent:
              </p>
              <ul class="rejected">
                {rejectedLines.slice(0, 20).map((r, i) => {
                  const rows = r.rows;
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
          {preview.length > 0 && (
            <div class="preview">
              <h3 id="preview-title">Preview for the first rows</h3>
              <ul aria-labelledby="preview-title">
                {preview.map((line) => (
                  <li key={line.row}>
                    <span class="hint">Row {line.row}: </span>
                    {line.error ? <span class="error-text">{line.error}</span> : <span class="sms-text">{line.text}</span>}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </section>

        <section class="card" aria-labelledby="quote-title">
          <h2 id="quote-title">Quote</h2>
          {recipients > AUTO_QUOTE_MAX && (
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
          {quote && quote.emptyFields.length > 0 && (
            <ul class="notice empty-fields" aria-label="Empty fields">
              {quote.emptyFields.map((empty) => (
                <li key={empty.field}>
                  <code>{empty.field}</code> is empty for {count(empty.recipients)} {empty.recipients === 1 ? 'recipient' : 'recipients'}:{' '}
                  {empty.defaulted ? (
                    'they get the default the text gives it.'
                  ) : (
                    <>
                      it renders as nothing there; give it a default, as in{' '}
                      <code>{`{{ ${fieldReference(empty.field)} | default: "there" }}`}</code>.
                    </>
                  )}
                </li>
              ))}
            </ul>
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
          <label class="inline">
            <input type="checkbox" checked={quietHours} onChange={(e) => setQuietHours(e.currentTarget.checked)} name="quietHours" />{' '}
            Quiet hours: send only inside a window, in each recipient's local time
          </label>
          {quietHours && (
            <fieldset class="send-window" aria-describedby="window-help">
              <legend>Send window</legend>
              <label>
                From (HH:MM)
                <input
                  value={windowStart}
                  onInput={(e) => setWindowStart(e.currentTarget.value)}
                  pattern={TIME_PATTERN}
                  inputMode="numeric"
                  required
                  name="windowStart"
                />
              </label>
              <label>
                Until (HH:MM, up to 24:00)
                <input
                  value={windowEnd}
                  onInput={(e) => setWindowEnd(e.currentTarget.value)}
                  pattern={TIME_PATTERN}
                  inputMode="numeric"
                  required
                  name="windowEnd"
                />
              </label>
              <CheckboxGroup
                legend="On"
                class="days"
                options={WEEKDAY_OPTIONS}
                selected={windowDays}
                onChange={setWindowDays}
              />
              <p id="window-help" class="hint">
                An end before the start is a window across midnight (22:00 to 02:00); messages wait, without
                expiring, until their recipient's window opens.
              </p>
            </fieldset>
          )}
        </section>

        {sendError && <p role="alert" class="error">{sendError}</p>}
        <button type="submit" class="primary" disabled={!text || recipients === 0 || uploading}>
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
          {count(quote?.recipients ?? recipients)} recipient(s),{' '}
          {info ? `${info.segments} segment(s) each` : ''}
          {quote ? `, estimated ${money(quote.totalCost)}` : ''}
          {schedule ? `, at ${new Date(schedule).toLocaleString()}` : ', now'}
          {sendWindow ? `, only between ${sendWindow.start} and ${sendWindow.end} local time` : ''}.
        </p>
      </ConfirmDialog>
    </main>
  );
}
