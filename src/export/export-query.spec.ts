import { MessageStatus } from '../domain/message-status.enum';
import { parseExportQuery } from './export-query';

describe(parseExportQuery.name, () => {
  it('should read the statuses (comma-separated, repeated, any case) and bom', () => {
    expect(parseExportQuery({ status: ['delivered,FAILED', 'Delivered'], bom: 'true' })).toEqual({
      statuses: [MessageStatus.DELIVERED, MessageStatus.FAILED],
      bom: true,
    });
    expect(parseExportQuery({})).toEqual({ statuses: [], bom: false });
  });

  it('should refuse an unknown parameter, an unknown status and a bracketed filter, naming the field', () => {
    expect(() => parseExportQuery({ statuses: 'DELIVERED' })).toThrow(
      'statuses: unknown query parameter "statuses" (status and bom are known)',
    );
    expect(() => parseExportQuery({ 'status[x]': 'DELIVERED' })).toThrow('status[x]: unknown query parameter');
    expect(() => parseExportQuery({ status: { x: 'DELIVERED' } })).toThrow('status: must be a plain query parameter');
    expect(() => parseExportQuery({ status: 'SHIPPED' })).toThrow('status: unknown status "SHIPPED"');
    expect(() => parseExportQuery({ bom: 'yes' })).toThrow('bom: must be true or false');
  });
});
