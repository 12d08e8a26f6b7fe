import { ForbiddenException, PayloadTooLargeException } from '@nestjs/common';
import { MetricsService } from '../common/metrics/metrics.service';
import { signPlivoV3 } from '../common/plivo-signature/plivo-v3-signature';
import { AppConfig, DELIVERY_REPORT_PATH } from '../config/app-config.service';
import { ProviderAccount } from '../sms-gateway/provider-account';
import { DeliveryReportMetrics } from './delivery-report.metrics';
import { PlivoSignatureGuard, WebhookRequest } from './plivo-signature.guard';
import { parseByteSize, signedBodyParams } from './webhook-body';

const BASE = 'https://sms.example.test';
const SECRET = 'current-secret-0001';
const OLD_SECRET = 'previous-secret-0001';
const NONCE = '12345678901234567890';
const PATH = `${DELIVERY_REPORT_PATH}?batch=7d4f4a38-8a3c-4a55-9c39-1b1f2b0e9d11`;
const DLR = { MessageUUID: 'u-1', To: '447700900001', Status: 'delivered', Sequence: '3', TotalAmount: '0.00450' };

function form(params: Record<string, string>): Buffer {
  return Buffer.from(new URLSearchParams(params).toString());
}

function request(overrides: Partial<WebhookRequest> & { signature?: string; header?: string } = {}): WebhookRequest {
  const { signature, header = 'x-plivo-signature-v3', ...rest } = overrides;
  const rawBody = rest.rawBody ?? form(DLR);
  return {
    method: 'POST',
    originalUrl: PATH,
    rawBody,
    ...rest,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(rawBody.length),
      'x-plivo-signature-v3-nonce': NONCE,
      [header]: signature ?? signPlivoV3('POST', BASE + PATH, NONCE, SECRET, DLR),
      ...rest.headers,
    },
  };
}

describe(PlivoSignatureGuard.name, () => {
  let guard: PlivoSignatureGuard;
  let metrics: DeliveryReportMetrics;

  beforeEach(() => {
    const config = { apiBaseUrl: BASE, deliveryReports: { webhookBodyLimit: '64kb' } } as unknown as AppConfig;
    metrics = new DeliveryReportMetrics(new MetricsService());
    guard = new PlivoSignatureGuard(
      config,
      new ProviderAccount('plivo', 'MA1', '+14155550100', [OLD_SECRET, SECRET]),
      metrics,
    );
  });

  async function rejections(reason: string): Promise<number> {
    const metric = await metrics.rejected.get();
    return metric.values.find((v) => v.labels.reason === reason)?.value ?? 0;
  }

  describe('verify', () => {
    it('should accept a form POST signed over the public URL, the sorted fields and the nonce', () => {
      expect(guard.verify(request())).toEqual({
        nonce: NONCE,
        params: DLR,
        batchId: '7d4f4a38-8a3c-4a55-9c39-1b1f2b0e9d11',
      });
    });

    it('should accept a signature made with a previous secret (rotation)', () => {
      expect(() =>
        guard.verify(request({ signature: signPlivoV3('POST', BASE + PATH, NONCE, OLD_SECRET, DLR) })),
      ).not.toThrow();
    });

    it('should accept a header with several comma-separated signatures when one matches', () => {
      const good = signPlivoV3('POST', BASE + PATH, NONCE, SECRET, DLR);

      expect(() => guard.verify(request({ signature: `bm9wZQ==, ${good}` }))).not.toThrow();
    });

    it('should accept X-Plivo-Signature-Ma-V3 alone', () => {
      expect(() => guard.verify(request({ header: 'x-plivo-signature-ma-v3' }))).not.toThrow();
    });

    it('should accept a GET callback whose fields are in the query string', () => {
      const query = `${PATH}&${new URLSearchParams(DLR).toString()}`;
      const signature = signPlivoV3('GET', BASE + query, NONCE, SECRET, {});

      const verified = guard.verify(
        request({ method: 'GET', originalUrl: query, rawBody: Buffer.alloc(0), signature }),
      );

      expect(verified.params).toMatchObject(DLR);
    });

    it('should accept a JSON body signed over its fields as strings', () => {
      const json = { ...DLR, Units: 1 };
      const signature = signPlivoV3('POST', BASE + PATH, NONCE, SECRET, { ...DLR, Units: '1' });

      const verified = guard.verify(
        request({
          rawBody: Buffer.from(JSON.stringify(json)),
          signature,
          headers: { 'content-type': 'application/json' },
        }),
      );

      expect(verified.params.Units).toBe('1');
    });

    it.each([
      ['a tampered field', { rawBody: form({ ...DLR, Status: 'undelivered' }) }, 'bad_signature'],
      ['an added field', { rawBody: form({ ...DLR, ErrorCode: '200' }) }, 'bad_signature'],
      ['another batch in the URL', { originalUrl: `${DELIVERY_REPORT_PATH}?batch=other` }, 'bad_signature'],
      [
        'an unknown secret',
        { signature: signPlivoV3('POST', BASE + PATH, NONCE, 'someone-else', DLR) },
        'bad_signature',
      ],
      [
        'a V2-style signature (URL + nonce only)',
        { signature: signPlivoV3('POST', BASE + PATH, NONCE, SECRET, {}) },
        'bad_signature',
      ],
      ['a missing nonce', { headers: { 'x-plivo-signature-v3-nonce': '' } }, 'missing_nonce'],
      ['a missing signature', { headers: { 'x-plivo-signature-v3': '' } }, 'missing_signature'],
    ])('should refuse %s with 403 and count it', async (_name, overrides, reason) => {
      const before = await rejections(reason);

      expect(() => guard.verify(request(overrides as Partial<WebhookRequest>))).toThrow(ForbiddenException);
      expect(await rejections(reason)).toBe(before + 1);
    });

    it('should refuse a body over the limit with 413, by Content-Length or by the raw body', () => {
      const big = form({ ...DLR, Padding: 'x'.repeat(64 * 1024) });

      expect(() => guard.verify(request({ rawBody: big }))).toThrow(PayloadTooLargeException);
      expect(() => guard.verify(request({ rawBody: big, headers: { 'content-length': '10' } }))).toThrow(
        PayloadTooLargeException,
      );
    });
  });
});

describe(parseByteSize.name, () => {
  it.each([
    ['64kb', 65536],
    ['1mb', 1048576],
    ['500b', 500],
  ])('should read %s as %d bytes', (input, bytes) => {
    expect(parseByteSize(input)).toBe(bytes);
  });
});

describe(signedBodyParams.name, () => {
  it('should keep repeated form fields and stringify nested JSON values', () => {
    expect(signedBodyParams(Buffer.from('a=1&a=2&b=x+y'), 'application/x-www-form-urlencoded')).toEqual({
      a: ['1', '2'],
      b: 'x y',
    });
    expect(signedBodyParams(Buffer.from('{"a":null,"b":{"c":1},"d":true}'), 'application/json')).toEqual({
      a: '',
      b: '{"c":1}',
      d: 'true',
    });
    expect(signedBodyParams(Buffer.from('not json'), 'application/json')).toEqual({});
  });
});
