import { formatPlivoTime, parsePlivoTime } from './plivo-time';

describe('plivo time helpers', () => {
  it.each([
    ['2026-11-26 10:07:51+05:30', '2026-11-26T04:37:51.000Z'],
    ['2026-11-26 10:07:51+00:00', '2026-11-26T10:07:51.000Z'],
    ['2026-11-26 10:07:51.123456', '2026-11-26T10:07:51.123Z'],
    ['2026-11-26 10:07:51', '2026-11-26T10:07:51.000Z'],
  ])('should parse %s', (text, iso) => {
    expect(parsePlivoTime(text)?.toISOString()).toBe(iso);
  });

  it.each([null, undefined, '', 'yesterday'])('should return null for %p', (text) => {
    expect(parsePlivoTime(text)).toBeNull();
  });

  it('should format filter times in UTC without fractions', () => {
    expect(formatPlivoTime(new Date('2026-11-26T10:07:51.999Z'))).toBe('2026-11-26 10:07:51');
  });
});
