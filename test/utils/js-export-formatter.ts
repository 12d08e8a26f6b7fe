/*
 * The JavaScript export formatter the service used before the database wrote export lines (up to
 * commit 61f7461: src/export/export-row.ts, csv-field.ts, export-formats.ts and the row query of
 * message-export.repository.ts), kept as the reference the database's output must equal byte for byte.
 * Rules changed since are changed here too: the service's own error codes have a meaning, and a
 * suppressed recipient has no estimated cost.
 */
import Decimal from 'decimal.js';
import { Client } from 'pg';
import { Encoding } from '../../src/domain/encoding.enum';
import { errorMeaning } from '../../src/domain/message-error-code';
import { countSegments } from '../../src/pricing/segment-counter';

/** One recipient in an export: the same field names in CSV (header) and NDJSON (keys). */
export interface ReferenceExportRow {
  messageId: string;
  to: string;
  country: string | null;
  status: string;
  errorCode: string | null;
  errorMeaning: string | null;
  segments: number;
  encoding: string;
  estimatedCost: string | null;
  actualCost: string | null;
  currency: string;
  submittedAt: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  providerMessageId: string | null;
}

export const REFERENCE_COLUMNS: ReadonlyArray<keyof ReferenceExportRow> = [
  'messageId',
  'to',
  'country',
  'status',
  'errorCode',
  'errorMeaning',
  'segments',
  'encoding',
  'estimatedCost',
  'actualCost',
  'currency',
  'submittedAt',
  'sentAt',
  'deliveredAt',
  'providerMessageId',
];

interface StoredRow {
  id: string;
  to: string;
  country: string | null;
  status: string;
  errorCode: string | null;
  units: number | null;
  amount: string | null;
  providerMessageId: string | null;
  submittedAt: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  batchId: string | null;
}

interface StoredCampaign {
  encoding: string;
  segmentsPerMessage: number;
  currency: string;
  estimatedCostByCountry: Array<{ country: string; pricePerSegment: string }>;
  recipientListId: string | null;
}

const ISO_8601_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** A campaign's export rows (optionally of some statuses only), as the JavaScript mapper made them. */
export async function referenceExportRows(
  sql: Client,
  campaignId: string,
  statuses: readonly string[] = [],
): Promise<ReferenceExportRow[]> {
  const {
    rows: [campaign],
  } = await sql.query<StoredCampaign>(
    `SELECT encoding::text AS encoding, "segmentsPerMessage", currency, "estimatedCostByCountry",
       "recipientListId"::text AS "recipientListId" FROM "Campaign" WHERE id = $1::uuid`,
    [campaignId],
  );
  const { rows } = await sql.query<StoredRow>(
    `SELECT id::text AS id, "to", country, status::text AS status, "errorCode", units, amount::text AS amount,
       "providerMessageId", to_char("submittedAt" AT TIME ZONE 'UTC', ${ISO_8601_UTC}) AS "submittedAt",
       to_char("sentAt" AT TIME ZONE 'UTC', ${ISO_8601_UTC}) AS "sentAt",
       to_char("deliveredAt" AT TIME ZONE 'UTC', ${ISO_8601_UTC}) AS "deliveredAt", "batchId"::text AS "batchId"
     FROM "Message" WHERE "campaignId" = $1::uuid AND (cardinality($2::text[]) = 0 OR status::text = ANY($2::text[]))
     ORDER BY "Message".id`,
    [campaignId, statuses],
  );
  const texts = new Map<string, string>();
  if (campaign.recipientListId) {
    const batches = await sql.query<{ id: string; text: string }>(
      `SELECT id::text AS id, text FROM "Batch" WHERE "campaignId" = $1::uuid AND text IS NOT NULL`,
      [campaignId],
    );
    batches.rows.forEach((batch) => texts.set(batch.id, batch.text));
  }
  const priceByCountry = new Map<string, Decimal>();
  const estimateByCountry = new Map<string, string>();
  for (const { country, pricePerSegment } of campaign.estimatedCostByCountry ?? []) {
    estimateByCountry.set(country, new Decimal(pricePerSegment).times(campaign.segmentsPerMessage).toFixed(5));
    priceByCountry.set(country, new Decimal(pricePerSegment));
  }
  // Counted once per text, as the mapper did.
  const countByText = new Map<string, { segments: number; encoding: string }>();
  for (const text of texts.values()) {
    const count = countSegments(text, { smartEncoding: false });
    countByText.set(text, {
      segments: count.segments,
      encoding: count.encoding === 'UCS2' ? Encoding.UCS2 : Encoding.GSM7,
    });
  }
  return rows.map((row) => {
    const text = row.batchId ? texts.get(row.batchId) : undefined;
    const own = text === undefined ? undefined : countByText.get(text);
    const price = own && row.country !== null ? priceByCountry.get(row.country) : undefined;
    return {
      messageId: row.id,
      to: row.to,
      country: row.country,
      status: row.status,
      errorCode: row.errorCode,
      errorMeaning: errorMeaning(row.errorCode),
      segments: row.units ?? own?.segments ?? campaign.segmentsPerMessage,
      encoding: own?.encoding ?? campaign.encoding,
      estimatedCost:
        row.status === 'SUPPRESSED'
          ? null
          : own
            ? (price?.times(own.segments).toFixed(5) ?? null)
            : row.country === null
              ? null
              : (estimateByCountry.get(row.country) ?? null),
      actualCost: row.amount,
      currency: campaign.currency,
      submittedAt: row.submittedAt,
      sentAt: row.sentAt,
      deliveredAt: row.deliveredAt,
      providerMessageId: row.providerMessageId,
    };
  });
}

const FORMULA_STARTS = new Set(['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20']);
const NEEDS_QUOTES = /[",\r\n]/;

function csvField(value: string | number | null): string {
  if (value === null) {
    return '';
  }
  if (typeof value === 'number') {
    return String(value);
  }
  const text = FORMULA_STARTS.has(value.charAt(0)) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV the JavaScript formatter wrote: header (after a BOM when asked), then one line per row. */
export function referenceCsv(rows: readonly ReferenceExportRow[], bom: boolean): string {
  const header = REFERENCE_COLUMNS.map((key) => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`));
  const lines = rows.map((row) => REFERENCE_COLUMNS.map((key) => csvField(row[key])).join(','));
  return `${bom ? '\uFEFF' : ''}${[header.join(','), ...lines].map((line) => `${line}\n`).join('')}`;
}

/** The NDJSON the JavaScript formatter wrote: JSON.stringify of each row, one per line. */
export function referenceNdjson(rows: readonly ReferenceExportRow[]): string {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
}
