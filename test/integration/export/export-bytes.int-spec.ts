import { stringify } from 'csv-stringify';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { MessageStatus } from '../../../src/domain/message-status.enum';
import { exportHeader } from '../../../src/export/export-formats';
import { EXPORT_PAGE_SIZE } from '../../../src/export/message-export.service';
import { ExportFormat } from '../../../src/persistence/export-page-query';
import { REFERENCE_COLUMNS, referenceCsv, referenceExportRows, referenceNdjson } from '../../utils/js-export-formatter';
import { TEST_DATABASES } from '../../utils/test-databases';
import { CampaignOptions, ExportTestContext, openExportTestContext } from './export-test-context';

// Every character String.prototype.trim removes (the error code is normalised with it).
const JS_WHITESPACE = Array.from({ length: 0x10000 }, (_, code) => String.fromCharCode(code))
  .filter((character) => character.trim() === '')
  .join('');

// Texts a CSV or JSON writer can get wrong: quoting, formula starts (fullwidth too), line breaks,
// control characters JSON escapes, non-BMP characters, a leading quote.
const AWKWARD = [
  'say "hi", then go',
  'a,b',
  'line\nbreak',
  'cr\rinside',
  '=HYPERLINK("http://evil")',
  '+44 7700 900123',
  '-1',
  '@SUM(A1)',
  '\tTab',
  '\rCR first',
  '\uFF1Dfull',
  '\uFF0B',
  '\uFF0D',
  '\uFF20x',
  '"=quoted',
  "'already",
  '',
  'ünïcode ✓ 你好 🎉',
  '\u{1F600} starts astral',
  'back\\slash \u0001\u001f\u007f \b\f \u2028\u2029',
  'plain',
];

// Error codes as stored: normalised ones, with zeros, blanks and whitespace around, unknown ones,
// and names of Object.prototype's members (no meaning of their own).
const ERROR_CODES = [
  null,
  '200',
  '0200',
  ' 300 ',
  `${JS_WHITESPACE}30${JS_WHITESPACE}`,
  '000',
  '0',
  '',
  '  ',
  '777',
  '00777',
  'abc',
  '=1+1',
  '1000',
  // The service's own codes (src/domain/message-error-code.ts), stored as they are.
  'submission_refused',
  ' submission_unconfirmed ',
  'submission_other',
  'constructor',
  '__proto__',
  '\u0661\u0662', // Arabic-Indic digits: not digits to normalizePlivoErrorCode
];

describe.each(TEST_DATABASES)('export bytes against the JavaScript formatter (%s)', (kind) => {
  let t: ExportTestContext;

  beforeAll(async () => {
    t = await openExportTestContext(kind, 'export bytes');
  });

  afterAll(async () => {
    await t?.close();
  });

  /** UCS-2, three segments, and a country code the CSV has to quote. */
  function createCampaign(options: Pick<CampaignOptions, 'currency' | 'recipientListId'> = {}): Promise<string> {
    return t.completedCampaign({
      ...options,
      encoding: 'UCS2',
      segmentsPerMessage: 3,
      pricesPerSegment: { GB: '0.04', US: '0.00795', 'a,"b': '0.123456' },
    });
  }

  async function exported(campaignId: string, format: ExportFormat, bom: boolean, statuses: MessageStatus[] = []) {
    const opened = await t.exports.open(t.accountId, campaignId, statuses, format);
    let out = exportHeader(format, bom);
    for await (const part of opened.parts) {
      out += part;
    }
    return out;
  }

  async function expectSameBytes(campaignId: string, statuses: MessageStatus[] = []): Promise<void> {
    const rows = await referenceExportRows(t.sql, campaignId, statuses);
    expect(rows.length).toBeGreaterThan(0);
    // Equal strings are equal UTF-8 bytes (toBe: jest compares large Buffers a byte at a time, slowly).
    for (const bom of [false, true]) {
      expect(await exported(campaignId, 'csv', bom, statuses)).toBe(referenceCsv(rows, bom));
    }
    expect(await exported(campaignId, 'ndjson', false, statuses)).toBe(referenceNdjson(rows));
  }

  it('should write the same CSV and NDJSON bytes for awkward values, null costs and times', async () => {
    const campaignId = await createCampaign({ currency: '=EUR' });
    const statuses = Object.values(MessageStatus);
    const countries = [null, 'GB', 'US', 'FR', 'a,"b', '+1'];
    const amounts = [null, '0.04', '-0.01', '0', '123456.78901'];
    const messages = AWKWARD.flatMap((value, i) =>
      ERROR_CODES.map((errorCode, j) => ({
        to: value === '' ? `+4477009${String(i * 100 + j).padStart(5, '0')}` : value,
        country: countries[(i + j) % countries.length],
        status: statuses[(i + j) % statuses.length],
        errorCode: j % 3 === 0 ? errorCode : AWKWARD[(i + j) % AWKWARD.length],
        units: j % 4 === 0 ? 7 : null,
        amount: amounts[(i + j) % amounts.length],
        // Unique (a constraint), so an awkward start with a suffix.
        providerMessageId: (i + j) % 5 === 0 ? null : `${AWKWARD[(i * 7 + j) % AWKWARD.length]}${i}.${j}`,
        submittedAt: j % 2 === 0 ? '2026-03-05T23:59:59.000Z' : null,
        sentAt: j % 3 === 0 ? '1999-12-31T23:59:59.999+05:00' : null,
        deliveredAt: j % 5 === 0 ? '2026-07-01T12:00:00.5Z' : null,
      })),
    );
    await t.sql.query(
      `INSERT INTO "Message" ("campaignId", "to", country, status, "errorCode", units, amount, "providerMessageId",
         "submittedAt", "sentAt", "deliveredAt")
       SELECT $1::uuid, m."to", m.country, m.status::"MessageStatus", m."errorCode", m.units, m.amount::numeric,
         m."providerMessageId", m."submittedAt"::timestamptz, m."sentAt"::timestamptz, m."deliveredAt"::timestamptz
       FROM json_to_recordset($2::json) AS m("to" text, country text, status text, "errorCode" text, units int,
         amount text, "providerMessageId" text, "submittedAt" text, "sentAt" text, "deliveredAt" text)`,
      [campaignId, JSON.stringify(messages)],
    );

    await expectSameBytes(campaignId);
    await expectSameBytes(campaignId, [MessageStatus.DELIVERED]);
    await expectSameBytes(campaignId, [MessageStatus.FAILED, MessageStatus.UNDELIVERED]);
  });

  it("should write the same bytes for a list campaign's per-recipient texts, over a page boundary", async () => {
    const campaignId = await createCampaign({ recipientListId: '00000000-0000-4000-8000-000000000001' });
    // GSM-7 short and long, UCS-2 short and long, GSM-7 extension characters, no text (the campaign's).
    const texts = ['Hi Ada', `Hello ${'x'.repeat(170)}`, 'Привет Ада', `Привет ${'я'.repeat(70)}`, '€ {} [] ^', null];
    const { rows: batches } = await t.sql.query<{ id: string }>(
      `INSERT INTO "Batch" ("campaignId", sequence, "recipientCount", text)
       SELECT $1::uuid, s, 1, ($2::text[])[s] FROM generate_series(1, $3::int) AS s RETURNING id::text AS id`,
      [campaignId, texts, texts.length],
    );
    // Messages in every batch and none (suppressed at acceptance), some billed, across two pages.
    await t.sql.query(
      `INSERT INTO "Message" ("campaignId", "batchId", "to", country, status, "errorCode", units, amount, "submittedAt")
       SELECT $1::uuid, CASE WHEN i % 7 = 6 THEN NULL ELSE ($2::uuid[])[i % 7 + 1] END, '+44770090' || lpad(i::text, 4, '0'),
         (ARRAY['GB', 'US', 'FR', NULL])[i % 4 + 1], (CASE WHEN i % 3 = 0 THEN 'UNDELIVERED' ELSE 'DELIVERED' END)::"MessageStatus",
         CASE WHEN i % 3 = 0 THEN '200' END, CASE WHEN i % 5 = 0 THEN 2 END, CASE WHEN i % 2 = 0 THEN 0.04 END,
         '2026-01-01T00:00:00Z'::timestamptz + i * interval '1 second'
       FROM generate_series(0, $3::int - 1) AS i`,
      [campaignId, batches.map((batch) => batch.id), EXPORT_PAGE_SIZE + 3],
    );

    await expectSameBytes(campaignId);
    await expectSameBytes(campaignId, [MessageStatus.UNDELIVERED]);
  });

  it('should match csv-stringify with escape_formulas (the reference itself)', async () => {
    const campaignId = await createCampaign();
    await t.sql.query(
      `INSERT INTO "Message" ("campaignId", "to", country, status, "errorCode", "providerMessageId")
       SELECT $1::uuid, value, 'GB', 'FAILED', value, value FROM unnest($2::text[]) AS value`,
      [campaignId, AWKWARD],
    );
    const rows = await referenceExportRows(t.sql, campaignId);
    const csvStringify = await buffer(
      Readable.from(rows).pipe(
        stringify({
          header: true,
          columns: REFERENCE_COLUMNS.map((key) => ({
            key,
            header: key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`),
          })),
          escape_formulas: true,
          bom: true,
        }),
      ),
    );
    expect(await exported(campaignId, 'csv', true)).toBe(csvStringify.toString('utf8'));
  });
});
