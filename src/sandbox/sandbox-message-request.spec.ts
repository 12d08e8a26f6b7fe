import { countSegments, normalizeNumber, parseMessageRequest, senderTypeOf } from './sandbox-message-request';

const ALL = new Set(['US', 'CA', 'GB', 'IN']);
const body = (overrides: Record<string, unknown> = {}) => ({
  src: '+14155550100',
  dst: '+447700900001',
  text: 'Hi',
  ...overrides,
});

describe(parseMessageRequest.name, () => {
  it('should dedupe after normalising and keep invalid numbers as written', () => {
    const result = parseMessageRequest(
      body({ dst: '+44 7700 900001<447700900001<+44(7700)900002<0123456789<+999123456789' }),
      ALL,
    );

    expect(result).toEqual(
      expect.objectContaining({
        ok: true,
        request: expect.objectContaining({
          invalidNumbers: ['0123456789', '+999123456789'],
          duplicateCount: 1,
          units: 1,
          method: 'POST',
          messageExpiry: 10_800,
        }),
      }),
    );
    expect(result.ok && result.request.recipients.map((r) => [r.number, r.country.iso])).toEqual([
      ['447700900001', 'GB'],
      ['447700900002', 'GB'],
    ]);
  });

  it.each([
    [{ src: undefined }, 'src parameter not present'],
    [{ dst: '' }, 'dst parameter not present'],
    [{ text: '' }, 'text parameter not present'],
    [{ dst: 'a<b' }, 'invalid phone numbers.'],
    [{ dst: '12' }, "'12' is not a valid phone number."],
    [{ message_expiry: 10_801 }, 'message_expiry should be an integer between 5 and 10800 seconds'],
    [{ url: 'ftp://x' }, 'url ftp://x is not a valid URL'],
    [{ type: 'mms' }, 'type mms is not supported by the sandbox (sms only)'],
    [{ src: 'ALPHANUMERIC12' }, "'ALPHANUMERIC12' is not a valid source number or sender id."],
  ])('should answer 400 to %p', (overrides, error) => {
    expect(parseMessageRequest(body(overrides), ALL)).toEqual({ ok: false, status: 400, error });
  });

  it('should reject 1,001 numbers but accept 1,000', () => {
    const dst = (n: number) => Array.from({ length: n }, (_, i) => `+4477009${String(i).padStart(5, '0')}`).join('<');

    expect(parseMessageRequest(body({ dst: dst(1000) }), ALL).ok).toBe(true);
    expect(parseMessageRequest(body({ dst: dst(1001) }), ALL).ok).toBe(false);
  });

  it('should tell Canadian from US numbers', () => {
    const result = parseMessageRequest(body({ dst: '+14165550100<+12125550100' }), ALL);

    expect(result.ok && result.request.recipients.map((r) => r.country.iso)).toEqual(['CA', 'US']);
  });
});

describe(countSegments.name, () => {
  it.each([
    ['a'.repeat(160), 1],
    ['a'.repeat(161), 2],
    ['a'.repeat(306), 2],
    ['a'.repeat(307), 3],
    ['€'.repeat(80), 1],
    ['€'.repeat(81), 2],
    ['ж'.repeat(70), 1],
    ['ж'.repeat(71), 2],
    ['ж'.repeat(737), 11],
    ['😀'.repeat(35), 1],
  ])('should count %#', (text, segments) => {
    expect(countSegments(text)).toBe(segments);
  });
});

describe(normalizeNumber.name, () => {
  it('should strip separators and enforce 8–15 digits not starting with 0', () => {
    expect(normalizeNumber('+1 (415) 555-0100')).toBe('14155550100');
    expect(normalizeNumber('1234567')).toBeNull();
    expect(normalizeNumber('+0441234567')).toBeNull();
    expect(normalizeNumber('+1234567890123456')).toBeNull();
  });
});

describe(senderTypeOf.name, () => {
  it.each([
    ['14155550100', 'long_code'],
    ['18005550100', 'toll_free'],
    ['12345', 'short_code'],
    ['ACME', 'alphanumeric'],
  ])('should classify %s as %s', (src, type) => {
    expect(senderTypeOf(src)).toBe(type);
  });
});
