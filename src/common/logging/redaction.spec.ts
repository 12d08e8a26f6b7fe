import pino from 'pino';
import { Writable } from 'node:stream';
import { REDACTED_PATHS, REDACTION_CENSOR, redactUrl } from './redaction';

function capture(): { logger: pino.Logger; lines: () => string } {
  let output = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      output += chunk.toString();
      callback();
    },
  });
  return { logger: pino({ redact: { paths: REDACTED_PATHS, censor: REDACTION_CENSOR } }, stream), lines: () => output };
}

describe('log redaction', () => {
  it('should redact API keys, Plivo signatures and credentials from request headers', () => {
    const { logger, lines } = capture();
    logger.info({
      req: {
        headers: {
          'x-api-key': 'sk_live_secret_key',
          authorization: 'Basic c2VjcmV0',
          'x-plivo-signature-v3': 'c2lnbmF0dXJl',
          'x-plivo-signature-ma-v3': 'bWEtc2lnbmF0dXJl',
          'x-plivo-signature-v3-nonce': '12345',
          'user-agent': 'curl',
        },
      },
    });
    const text = lines();
    for (const secret of ['sk_live_secret_key', 'c2VjcmV0', 'c2lnbmF0dXJl', 'bWEtc2lnbmF0dXJl', '12345']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('curl');
  });

  it('should redact phone numbers and tokens under known field names at any of three levels', () => {
    const { logger, lines } = capture();
    logger.info({
      to: '+14155550101',
      report: { To: '+14155550102', From: '+14155550100' },
      batch: { request: { dst: '+1415<+1416' } },
    });
    logger.info({
      authToken: 'plivo-token',
      plivo: { authToken: 'nested-token' },
      apiKey: 'sk_abc',
      recipients: ['+447700900123'],
    });
    const text = lines();
    for (const secret of [
      '+14155550101',
      '+14155550102',
      '+14155550100',
      '+1415<+1416',
      'plivo-token',
      'nested-token',
      'sk_abc',
      '+447700900123',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(8);
  });
});

describe(redactUrl.name, () => {
  it('should drop the query string and fragment of any URL, whatever its path or case', () => {
    expect(redactUrl('/API/webhooks/plivo/delivery-report?To=%2B14155550124&From=x')).toBe(
      '/API/webhooks/plivo/delivery-report?[redacted]',
    );
    expect(redactUrl('/graphql?query=q&variables=%7B%22to%22%3A%22%2B14155550123%22%7D')).toBe('/graphql?[redacted]');
    expect(redactUrl('/page#+14155550125')).toBe('/page?[redacted]');
  });

  it('should keep a URL without a query as it is', () => {
    expect(redactUrl('/health')).toBe('/health');
    expect(redactUrl(undefined)).toBeUndefined();
  });
});
