/**
 * The SQL of one export page: PostgreSQL writes every line (CSV or NDJSON) and joins them a few
 * hundred to a text, so the service only passes texts from the database to the response. The rules are
 * those of the JavaScript formatter this replaced, and the output bytes are the same
 * (test/integration/export/export-bytes.int-spec.ts compares them on PostgreSQL and PGlite).
 */

export type ExportFormat = 'csv' | 'ndjson';

/** The columns of an export, in order: NDJSON keys, and (snake_case) the CSV header. */
export const EXPORT_COLUMNS = [
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
] as const;

/**
 * How a column is written. `text`: any text, CSV-escaped. `decimal`: a decimal number as text (a
 * string in NDJSON), which may start with a minus sign but never needs CSV quoting. `safe`: text that
 * never needs CSV escaping (digits, enum names, ISO timestamps). `number`: an integer (a JSON number).
 */
type ColumnKind = 'text' | 'decimal' | 'safe' | 'number';

/**
 * The parameters every page query takes, in this order: $1 campaign id, $2 the last message id of the
 * previous page ('0' for the first), $3 the page size, $4 the campaign's segments per message, $5 its
 * encoding, $6 its currency, $7/$8 error codes and their meanings, $9/$10/$11 estimated costs by
 * country and segments, $12/$13/$14 batch ids with the segments and encoding of their rendered text
 * (list campaigns; empty otherwise). The status filter and the upper bound follow.
 */
const FIXED_PARAMETERS = 14;

// Timestamps as Date.toISOString writes them.
const ISO_8601_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * What String.prototype.trim removes (ECMAScript WhiteSpace and LineTerminator), as SQL escapes:
 * error codes are normalised as normalizePlivoErrorCode does, with JavaScript's trim.
 */
const JS_WHITESPACE = [
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007,
  0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff,
];
const JS_WHITESPACE_SQL = `E'${JS_WHITESPACE.map((code) => `\\u${code.toString(16).padStart(4, '0')}`).join('')}'`;

// A cell starting with one of these is a formula to Excel, Sheets or Numbers (the fullwidth forms
// too, which Numbers normalizes): OWASP "CSV injection". The same set as csv-stringify's escape_formulas,
// and as src/common/text/csv-field.ts (the CLI's and the console's opt-out CSV).
const FORMULA_STARTS_SQL = `('=', '+', '-', '@', E'\\t', E'\\r', E'\\uFF1D', E'\\uFF0B', E'\\uFF0D', E'\\uFF20')`;

// Column values over one page row `page` (the message's columns and its normalised error `code`) and
// its lookups `meaning`, `figures` and `estimate` (see pageQuerySql).
const COLUMNS: Record<(typeof EXPORT_COLUMNS)[number], { sql: string; kind: ColumnKind }> = {
  messageId: { sql: 'page.id::text', kind: 'safe' },
  to: { sql: 'page."to"', kind: 'text' },
  country: { sql: 'page.country', kind: 'text' },
  status: { sql: 'page.status::text', kind: 'safe' },
  errorCode: { sql: 'page."errorCode"', kind: 'text' },
  // The meaning of the normalised code (the service's own codes and Plivo's); a code not in the table is
  // "unknown error code <code>", as errorMeaning answers.
  errorMeaning: {
    sql: `CASE WHEN page.code IS NOT NULL THEN COALESCE(meaning.text, 'unknown error code ' || page.code) END`,
    kind: 'text',
  },
  // What was billed, else the message's own rendered text (list campaigns), else the campaign's estimate.
  segments: { sql: 'COALESCE(page.units, figures.segments)', kind: 'number' },
  encoding: { sql: 'figures.encoding', kind: 'safe' },
  // The quote's price for the message's segments; none for a suppressed recipient, whom the campaign's
  // estimate leaves out (a cancelled one was in it), so the column adds up to the campaign's estimatedCost.
  estimatedCost: { sql: `CASE WHEN page.status <> 'SUPPRESSED' THEN estimate.cost END`, kind: 'decimal' },
  actualCost: { sql: 'page.amount', kind: 'decimal' },
  currency: { sql: '$6::text', kind: 'text' },
  submittedAt: { sql: `to_char(page."submittedAt" AT TIME ZONE 'UTC', ${ISO_8601_UTC})`, kind: 'safe' },
  sentAt: { sql: `to_char(page."sentAt" AT TIME ZONE 'UTC', ${ISO_8601_UTC})`, kind: 'safe' },
  deliveredAt: { sql: `to_char(page."deliveredAt" AT TIME ZONE 'UTC', ${ISO_8601_UTC})`, kind: 'safe' },
  providerMessageId: { sql: 'page."providerMessageId"', kind: 'text' },
};

/**
 * One CSV field, RFC 4180: empty for null; quoted (quotes doubled) when it holds a comma, a quote or
 * a line break; a text that would start a formula gets a leading `'`, so a spreadsheet shows it as
 * text (phone numbers therefore read '+14155550100). Numbers are written as they are.
 */
function csvField(sql: string, kind: ColumnKind): string {
  if (kind === 'number') {
    return `(${sql})::text`;
  }
  if (kind === 'safe') {
    return `COALESCE(${sql}, '')`;
  }
  if (kind === 'decimal') {
    return `CASE WHEN ${sql} IS NULL THEN '' WHEN left(${sql}, 1) IN ${FORMULA_STARTS_SQL} THEN '''' || ${sql} ELSE ${sql} END`;
  }
  return `CASE WHEN ${sql} IS NULL THEN ''
    WHEN ${sql} ~ E'[",\\r\\n]'
      THEN '"' || CASE WHEN left(${sql}, 1) IN ${FORMULA_STARTS_SQL} THEN '''' ELSE '' END || replace(${sql}, '"', '""') || '"'
    WHEN left(${sql}, 1) IN ${FORMULA_STARTS_SQL} THEN '''' || ${sql}
    ELSE ${sql} END`;
}

/** One output line, newline included; NDJSON's reads the values from `line` (see pageQuerySql). */
function lineSql(format: ExportFormat): string {
  if (format === 'csv') {
    const fields = EXPORT_COLUMNS.map((key) => csvField(COLUMNS[key].sql, COLUMNS[key].kind));
    return `${fields.join(` || ',' || `)} || E'\\n'`;
  }
  // row_to_json writes the keys in this order with no spaces, and escapes strings as JSON.stringify
  // does (both write \\uXXXX in lower case for the other control characters).
  return `row_to_json(line)::text || E'\\n'`;
}

// Lines per row of a page's result: a part of a few dozen kilobytes is a short-lived string to Node
// (collected young), where one string of a whole page (a megabyte or two) is a large object whose
// allocations made the service run a full garbage collection every few pages.
export const LINES_PER_PART = 200;

export interface PageQueryShape {
  format: ExportFormat;
  /** How many statuses the filter has: 0 (every message), 1, or 2 for two or more. */
  statusCount: 0 | 1 | 2;
  /** Whether the page is bounded above by a last message id (the parameter after the status filter). */
  bounded: boolean;
}

/**
 * The page's lines in id order, LINES_PER_PART to a row: each row has how many messages it covers,
 * the last one's id, and their lines joined (no rows for an empty page). At most `limit` messages (all, when null)
 * after `afterId`; with `bounded`, none after the given id either. One status uses the
 * (campaignId, status, id) index in order; several are read as one sorted page.
 */
export function pageQuerySql(shape: PageQueryShape): string {
  const key = `${shape.format} ${shape.statusCount} ${shape.bounded}`;
  let sql = queries.get(key);
  if (sql === undefined) {
    sql = buildPageQuerySql(shape);
    queries.set(key, sql);
  }
  return sql;
}

// Built once per shape (a few kilobytes of SQL), not once per page.
const queries = new Map<string, string>();

function buildPageQuerySql(shape: PageQueryShape): string {
  const next = FIXED_PARAMETERS + 1;
  const statusFilter =
    shape.statusCount === 0
      ? ''
      : shape.statusCount === 1
        ? `AND m.status = $${next}::"MessageStatus"`
        : `AND m.status::text = ANY($${next}::text[])`;
  const upperBound = shape.bounded ? `AND m.id <= $${shape.statusCount === 0 ? next : next + 1}::bigint` : '';
  const trimmed = `btrim(m."errorCode", ${JS_WHITESPACE_SQL})`;
  // The page's messages are read first (the LIMIT keeps that subquery apart, so each row's code is
  // normalised and its amount converted to text once, not in every branch of a CSV field's CASE),
  // then looked up and written. Ordered by "Message".id: a bare `id` would sort by
  // a text output column ('10' < '9').
  const line =
    shape.format === 'ndjson'
      ? `CROSS JOIN LATERAL (SELECT ${EXPORT_COLUMNS.map((key) => `${COLUMNS[key].sql} AS "${key}"`).join(', ')}) line`
      : '';
  return `SELECT count(*)::int AS messages, max(page.id)::text AS "lastId",
      string_agg(${lineSql(shape.format)}, '' ORDER BY page.id) AS text
    FROM (
      SELECT (row_number() OVER (ORDER BY m.id) - 1) / ${LINES_PER_PART} AS part, m.id, m."to", m.country, m.status, m."errorCode", m.units,
        m.amount::text AS amount, m."providerMessageId",
        m."submittedAt", m."sentAt", m."deliveredAt", m."batchId",
        CASE WHEN ${trimmed} = '' OR ${trimmed} ~ '^0+$' THEN NULL
          WHEN ${trimmed} ~ '^[0-9]+$' THEN ltrim(${trimmed}, '0') ELSE ${trimmed} END AS code
      FROM "Message" m
      WHERE m."campaignId" = $1::uuid AND m.id > $2::bigint ${statusFilter} ${upperBound}
      ORDER BY m.id
      LIMIT $3
    ) page
    LEFT JOIN unnest($7::text[], $8::text[]) AS meaning(code, text) ON meaning.code = page.code
    LEFT JOIN unnest($12::uuid[], $13::int[], $14::text[]) AS batch(id, segments, encoding) ON batch.id = page."batchId"
    CROSS JOIN LATERAL (SELECT COALESCE(batch.segments, $4::int) AS segments,
      COALESCE(batch.encoding, $5::text) AS encoding) figures
    LEFT JOIN unnest($9::text[], $10::int[], $11::text[]) AS estimate(country, segments, cost)
      ON estimate.country = page.country AND estimate.segments = figures.segments
    ${line}
    GROUP BY page.part
    ORDER BY page.part`;
}
