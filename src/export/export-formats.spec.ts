import { UserInputError } from '../common/errors/domain-error';
import { MessageStatus } from '../domain/message-status.enum';
import { exportHeader } from './export-formats';
import { parseExportQuery } from './export-query';

describe('exportHeader', () => {
  it('should name the CSV columns in snake_case, after a BOM when asked', () => {
    const header =
      'message_id,to,country,status,error_code,error_meaning,segments,encoding,estimated_cost,actual_cost,currency,' +
      'submitted_at,sent_at,delivered_at,provider_message_id\n';
    expect(exportHeader('csv', false)).toBe(header);
    expect([...Buffer.from(exportHeader('csv', true)).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(exportHeader('csv', true).slice(1)).toBe(header);
  });

  it('should start NDJSON with nothing', () => {
    expect(exportHeader('ndjson', false)).toBe('');
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
