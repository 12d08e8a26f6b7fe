import { auditDetails } from './audit-details';

describe('auditDetails', () => {
  it('should keep ids, names, flags and short lists of scopes', () => {
    expect(
      auditDetails({ id: 'c1', name: 'Spring sale', force: true, first: 20, scopes: ['campaigns:read', 'admin'] }),
    ).toEqual({ id: 'c1', name: 'Spring sale', force: true, first: 20, scopes: ['campaigns:read', 'admin'] });
  });

  it('should keep ids and timestamps, which are digit runs but not phone numbers', () => {
    const id = '3f2a1b4c-1234-5678-9abc-def012345678';
    expect(auditDetails({ id, expiresAt: '2026-12-01T05:00:00.000Z', at: new Date(0) })).toEqual({
      id,
      expiresAt: '2026-12-01T05:00:00.000Z',
      at: '1970-01-01T00:00:00.000Z',
    });
  });

  it('should keep an unparseable time as "Invalid Date" instead of throwing (the refused call is still audited)', () => {
    expect(auditDetails({ scheduledAt: new Date('not-a-date') })).toEqual({ scheduledAt: 'Invalid Date' });
  });

  it('should never keep a phone number in clear, wherever it is', () => {
    const details = auditDetails({
      input: {
        recipients: ['+14155550123', '+14155550124'],
        to: '+1 (415) 555-0199',
        name: 'call 4155550100 now',
        text: 'Reply to +447700900123',
      },
    });
    const json = JSON.stringify(details);
    expect(json).not.toMatch(/\d{5}/);
    expect(details).toEqual({
      input: { recipients: { count: 2 }, to: '***99', name: 'call ***00 now', text: 'Reply to ***23' },
    });
  });

  it('should redact secrets and bound the size of what is kept', () => {
    const details = auditDetails({
      settings: { plivoAuthToken: 'abc', plivoAuthId: 'MA123' },
      apiKey: 'sk_x',
      long: 'x'.repeat(500),
      list: Array.from({ length: 50 }, (_, i) => `item${i}`),
    }) as Record<string, unknown>;
    expect(details.settings).toEqual({ plivoAuthToken: '[redacted]', plivoAuthId: 'MA123' });
    expect(details.apiKey).toBe('[redacted]');
    expect((details.long as string).length).toBe(201);
    expect(details.list).toEqual({ count: 50 });
  });

  it('should cut a long text before an emoji at the bound, never inside it', () => {
    const text = `${'a'.repeat(199)}😀 and more`;
    expect(auditDetails({ text })).toEqual({ text: `${'a'.repeat(199)}…` });
    expect(auditDetails({ text: `${'a'.repeat(198)}😀 and more` })).toEqual({ text: `${'a'.repeat(198)}😀…` });
  });
});
