import { stringify } from 'csv-stringify';
import { Readable } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import { UserInputError } from '../common/errors/domain-error';
import { MessageStatus } from '../domain/message-status.enum';
import { ExportedMessageRow } from '../persistence/message-export.repository';
import { csvFormatter, ndjsonFormatter } from './export-formats';
import { parseExportQuery } from './export-query';
import { EXPORT_COLUMNS, ExportRow, ExportRowMapper } from './export-row';

const campaign = {
  id: 'c',
  encoding: 'GSM7',
  segmentsPerMessage: 2,
  currency: 'USD',
  estimatedCostByCountry: [{ country: 'GB', pricePerSegment: '0.04' }],
};

function row(overrides: Partial<ExportedMessageRow> = {}): ExportedMessageRow {
  return {
    id: '1',
    to: '+447700900001',
    country: 'GB',
    status: MessageStatus.UNDELIVERED,
    errorCode: '200',
    units: null,
    amount: '0.08000',
    providerMessageId: 'uuid-1',
    submittedAt: '2026-01-01T00:00:00.000Z',
    sentAt: null,
    deliveredAt: null,
    ...overrides,
  };
}

describe('ExportRowMapper', () => {
  it('should add the error meaning, the per-country estimate and the campaign segments when none were billed', () => {
    expect(new ExportRowMapper(campaign).map(row())).toEqual({
      messageId: '1',
      to: '+447700900001',
      country: 'GB',
      status: 'UNDELIVERED',
      errorCode: '200',
      errorMeaning: 'source number blocked by STOP from the destination (opt-out)',
      segments: 2,
      encoding: 'GSM7',
      estimatedCost: '0.08000',
      actualCost: '0.08000',
      currency: 'USD',
      submittedAt: '2026-01-01T00:00:00.000Z',
      sentAt: null,
      deliveredAt: null,
      providerMessageId: 'uuid-1',
    });
  });

  it('should leave the estimate empty for a country without a quote', () => {
    expect(new ExportRowMapper(campaign).map(row({ country: 'FR', errorCode: null })).estimatedCost).toBeNull();
  });

  it("should count a list campaign's message on its own rendered text (segments, encoding, estimate)", () => {
    const mapper = new ExportRowMapper({ ...campaign, encoding: 'UCS2', segmentsPerMessage: 3 });
    const short = mapper.map(row({ batchId: 'b1' }), 'Hi Ada');
    expect([short.segments, short.encoding, short.estimatedCost]).toEqual([1, 'GSM7', '0.04000']);
    const long = mapper.map(row({ batchId: 'b2' }), `Привет ${'я'.repeat(70)}`);
    expect([long.segments, long.encoding, long.estimatedCost]).toEqual([2, 'UCS2', '0.08000']);
    // What was billed wins; a message without its text keeps the campaign's figures.
    expect(mapper.map(row({ units: 5 }), 'Hi Ada').segments).toBe(5);
    expect(mapper.map(row()).segments).toBe(3);
  });
});

describe('csvFormatter', () => {
  it('should escape cells a spreadsheet would evaluate, and start with a BOM when asked', async () => {
    const mapper = new ExportRowMapper(campaign);
    const rows = [
      row({ providerMessageId: '=HYPERLINK("http://evil")' }),
      row({ id: '2', providerMessageId: '@SUM(A1)' }),
    ];
    const bytes = await buffer(Readable.from([rows.map((r) => mapper.map(r))]).pipe(csvFormatter(true)));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytes.subarray(3).toString('utf8');
    expect(csv.startsWith('message_id,to,')).toBe(true);
    const lines = csv.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`'+447700900001`);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(lines[2]).toContain(`'@SUM(A1)`);
  });

  it('should write the header alone for an export without rows', async () => {
    const csv = await text(Readable.from([]).pipe(csvFormatter(false)));
    expect(csv).toBe(
      'message_id,to,country,status,error_code,error_meaning,segments,encoding,estimated_cost,actual_cost,currency,' +
        'submitted_at,sent_at,delivered_at,provider_message_id\n',
    );
  });

  it('should write the same bytes as csv-stringify with escape_formulas, over several chunks', async () => {
    const mapper = new ExportRowMapper(campaign);
    const tricky = [
      '=1+1',
      '+1',
      '-1',
      '@x',
      '\tTab',
      '\rCR',
      '\uFF1Dfull',
      '\uFF0B',
      '\uFF0D',
      '\uFF20',
      'a,b',
      'say "hi"',
      'line\nbreak',
      'cr\rinside',
      '"=quoted',
      '',
      'plain',
      'ünïcode ✓',
      "'already",
    ];
    const rows = tricky.map((value, i) =>
      mapper.map(row({ id: String(i + 1), to: value, providerMessageId: value, errorCode: i % 2 ? null : value })),
    );
    const ours = await buffer(Readable.from([rows.slice(0, 7), rows.slice(7)]).pipe(csvFormatter(true)));
    const reference = await buffer(
      Readable.from(rows).pipe(
        stringify({
          header: true,
          columns: EXPORT_COLUMNS.map((key) => ({ key, header: key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) })),
          escape_formulas: true,
          bom: true,
        }),
      ),
    );
    expect(ours.toString('utf8')).toBe(reference.toString('utf8'));
  });
});

describe('ndjsonFormatter', () => {
  it('should write one raw JSON object per line', async () => {
    const mapper = new ExportRowMapper(campaign);
    const out = await text(
      Readable.from([[mapper.map(row())], [mapper.map(row({ id: '2', to: '+14155550100' }))]]).pipe(ndjsonFormatter()),
    );
    const lines = out.trim().split('\n');
    expect(lines.map((line) => JSON.parse(line) as ExportRow)).toEqual([
      expect.objectContaining({ messageId: '1', to: '+447700900001', errorCode: '200' }),
      expect.objectContaining({ messageId: '2', to: '+14155550100' }),
    ]);
  });
});

describe('parseExportQuery', () => {
  it('should accept comma-separated, repeated, case-insensitive statuses and the BOM flag', () => {
    expect(parseExportQuery({ status: ['delivered,FAILED', 'failed'], bom: 'true' })).toEqual({
      statuses: [MessageStatus.DELIVERED, MessageStatus.FAILED],
      bom: true,
    });
    expect(parseExportQuery({})).toEqual({ statuses: [], bom: false });
  });

  it('should name the field of a bad value', () => {
    expect(() => parseExportQuery({ status: 'LOST' })).toThrow(UserInputError);
    expect(() => parseExportQuery({ status: 'LOST' })).toThrow(/^status: unknown status "LOST"/);
    expect(() => parseExportQuery({ bom: 'maybe' })).toThrow(/^bom:/);
    expect(() => parseExportQuery({ status: { nested: 'x' } })).toThrow(/^status:/);
  });
});
