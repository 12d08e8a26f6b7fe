import { validateV3Signature } from 'plivo';
import { plivoV3SignedString, signPlivoV3, verifyPlivoV3 } from './plivo-v3-signature';

const SECRET = 'MjA4ZDQ3YzVkNmU0ZmY3YmE3ZTI0';
const NONCE = '05429567804466091622';
const DLR = {
  MessageUUID: 'db3ce55a-7f1d-11e1-8ea7-1231380bc196',
  To: '+14155550101',
  From: '+14155550100',
  Status: 'delivered',
  Units: '1',
};

const cases: Array<{ name: string; method: 'GET' | 'POST'; url: string; params: Record<string, string> }> = [
  { name: 'POST without query string', method: 'POST', url: 'https://example.com/dlr', params: DLR },
  { name: 'POST with query string', method: 'POST', url: 'https://example.com/dlr?b=batch-1&campaign=7', params: DLR },
  {
    name: 'POST with port and trailing slash',
    method: 'POST',
    url: 'http://127.0.0.1:3000/api/webhooks/plivo/',
    params: DLR,
  },
  { name: 'POST with encoded query', method: 'POST', url: 'https://Example.com/d?a=x%20y&c=b+c', params: DLR },
  { name: 'POST without params', method: 'POST', url: 'https://example.com/dlr?b=1', params: {} },
  { name: 'GET', method: 'GET', url: 'https://example.com/dlr?b=batch-1', params: DLR },
  { name: 'GET without any params', method: 'GET', url: 'https://example.com/dlr', params: {} },
  {
    name: 'unicode values',
    method: 'POST',
    url: 'https://example.com/dlr',
    params: { ...DLR, Text: 'Hello <wörld> & ünïcode №—Їжі 😀' },
  },
];

describe('plivo V3 signature', () => {
  describe(signPlivoV3.name, () => {
    it.each(cases)('should produce a signature the SDK accepts: $name', ({ method, url, params }) => {
      const signature = signPlivoV3(method, url, NONCE, SECRET, params);

      expect(validateV3Signature(method, url, NONCE, SECRET, signature, params)).toBe(true);
      expect(verifyPlivoV3({ method, url, nonce: NONCE, signatureHeader: signature, secrets: [SECRET], params })).toBe(
        true,
      );
    });

    it('should match a hand-computed HMAC for the documented worked example', () => {
      const { createHmac } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
      const expected = createHmac('sha256', SECRET)
        .update(`https://example.com/dlr?campaign=7.From+1MessageUUIDuStatussTo+2.${NONCE}`)
        .digest('base64');

      expect(
        signPlivoV3('POST', 'https://example.com/dlr?campaign=7', NONCE, SECRET, {
          To: '+2',
          Status: 's',
          MessageUUID: 'u',
          From: '+1',
        }),
      ).toBe(expected);
    });
  });

  describe(plivoV3SignedString.name, () => {
    // Under jest the SDK's `instanceof Array` fails across realms for repeated query keys, so this
    // case (checked against the SDK in plain node) is pinned by its signed string instead.
    it('should sort repeated query values and decode them like querystring', () => {
      expect(plivoV3SignedString('POST', 'https://Example.com:443/d?a=x%20y&a=b+c', { To: '+1' })).toBe(
        'https://Example.com:443/d?a=b c&a=x y.To+1',
      );
      expect(plivoV3SignedString('GET', 'http://user:pw@h/d?z=1', { To: '+1' })).toBe('http://h/d?To=+1&z=1');
    });

    it('should sort the values of a repeated form field after its key, and leave out a field without values', () => {
      expect(plivoV3SignedString('POST', 'https://h/d', { To: '+1', B: ['2', '1'], A: [], C: ['x'] })).toBe(
        'https://h/d?B1B2CxTo+1',
      );
      expect(plivoV3SignedString('GET', 'https://h/d?B=3', { B: ['2', '1'], A: [] })).toBe('https://h/d?B=1&B=2&B=3');
    });
  });

  describe(verifyPlivoV3.name, () => {
    const url = 'https://example.com/dlr?b=batch-1';
    const signature = signPlivoV3('POST', url, NONCE, SECRET, DLR);

    it('should accept any of several comma-separated signatures', () => {
      const header = `${signPlivoV3('POST', url, NONCE, 'rotated-old-secret', DLR)},${signature}`;

      expect(
        verifyPlivoV3({ method: 'POST', url, nonce: NONCE, signatureHeader: header, secrets: [SECRET], params: DLR }),
      ).toBe(true);
      expect(validateV3Signature('POST', url, NONCE, SECRET, header, DLR)).toBe(true);
    });

    it('should accept a match with any of several secrets', () => {
      expect(
        verifyPlivoV3({
          method: 'POST',
          url,
          nonce: NONCE,
          signatureHeader: signature,
          secrets: ['other-secret', SECRET],
          params: DLR,
        }),
      ).toBe(true);
    });

    it.each([
      { name: 'tampered params', url, nonce: NONCE, params: { ...DLR, Status: 'failed' } },
      { name: 'an extra param', url, nonce: NONCE, params: { ...DLR, ErrorCode: '200' } },
      { name: 'a wrong nonce', url, nonce: '1', params: DLR },
      { name: 'a wrong host', url: 'https://evil.example.com/dlr?b=batch-1', nonce: NONCE, params: DLR },
      { name: 'a wrong port', url: 'https://example.com:8443/dlr?b=batch-1', nonce: NONCE, params: DLR },
      { name: 'a changed batch id in the query', url: 'https://example.com/dlr?b=batch-2', nonce: NONCE, params: DLR },
    ])('should reject $name, like the SDK', ({ url: calledUrl, nonce, params }) => {
      expect(
        verifyPlivoV3({ method: 'POST', url: calledUrl, nonce, signatureHeader: signature, secrets: [SECRET], params }),
      ).toBe(false);
      expect(validateV3Signature('POST', calledUrl, nonce, SECRET, signature, params)).toBe(false);
    });

    it('should reject a wrong secret, an empty header and an empty secret list', () => {
      const base = { method: 'POST' as const, url, nonce: NONCE, params: DLR };

      expect(verifyPlivoV3({ ...base, signatureHeader: signature, secrets: ['wrong-secret'] })).toBe(false);
      expect(verifyPlivoV3({ ...base, signatureHeader: '', secrets: [SECRET] })).toBe(false);
      expect(verifyPlivoV3({ ...base, signatureHeader: signature, secrets: [] })).toBe(false);
      expect(verifyPlivoV3({ ...base, signatureHeader: signature.slice(0, -2), secrets: [SECRET] })).toBe(false);
    });

    it('should not accept a GET signature for a POST of the same fields', () => {
      const getSignature = signPlivoV3('GET', url, NONCE, SECRET, DLR);

      expect(
        verifyPlivoV3({
          method: 'POST',
          url,
          nonce: NONCE,
          signatureHeader: getSignature,
          secrets: [SECRET],
          params: DLR,
        }),
      ).toBe(false);
    });
  });
});
