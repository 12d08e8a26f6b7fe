import { classifyPlivoError } from './plivo-error.classifier';
import { SmsGatewayError } from './sms-gateway.error';

// Shapes the SDK really rejects with (toolchain.md §6).
function restError(status: number, message: string): Error {
  return Object.assign(new Error(message), { status, statusText: 'x', apiID: 'api-1' });
}
const plainStatusError = (status: number) => new Error(`AxiosError: Request failed with status code ${status}`);
const stackString = (head: string) =>
  `${head}\n    at Function.AxiosError.from (node_modules/axios/lib/core/AxiosError.js:89:14)`;

describe(classifyPlivoError.name, () => {
  it.each([
    ['429 (plain Error, no status)', plainStatusError(429), 'transient', 429],
    ['408', plainStatusError(408), 'transient', 408],
    ['ECONNREFUSED string', stackString('Error: connect ECONNREFUSED 127.0.0.1:4010'), 'transient', undefined],
    ['ENOTFOUND string', stackString('Error: getaddrinfo ENOTFOUND api.plivo.com'), 'transient', undefined],
    ['500 with a JSON body', restError(500, 'internal error'), 'ambiguous', 500],
    ['502 (plain Error)', plainStatusError(502), 'ambiguous', 502],
    ['504 (plain Error)', plainStatusError(504), 'ambiguous', 504],
    ['503 with a JSON body (plain Error)', plainStatusError(503), 'ambiguous', 503],
    ['503 with a text body (status set)', restError(503, 'Service Unavailable'), 'ambiguous', 503],
    ['timeout string', stackString('AxiosError: timeout of 500ms exceeded'), 'ambiguous', undefined],
    ['ECONNRESET string', stackString('Error: read ECONNRESET'), 'ambiguous', undefined],
    ['socket hang up string', stackString('Error: socket hang up'), 'ambiguous', undefined],
    ['an unknown string', 'something odd', 'ambiguous', undefined],
    ['an unknown object', { weird: true }, 'ambiguous', undefined],
    ['undefined', undefined, 'ambiguous', undefined],
    [
      'a Node error with code ECONNRESET',
      Object.assign(new Error('read'), { code: 'ECONNRESET' }),
      'ambiguous',
      undefined,
    ],
    ['400', restError(400, 'text parameter length exceeds 1600 characters'), 'permanent', 400],
    ['400 invalid phone numbers', restError(400, 'invalid phone numbers.'), 'permanent', 400],
    ['404', restError(404, 'not found'), 'permanent', 404],
    ['400 naming the src', restError(400, 'src is not a valid number or not owned by the account'), 'pause', 400],
    ['400 naming the source number', restError(400, 'invalid source number'), 'pause', 400],
    ['404 naming the powerpack', restError(404, 'powerpack not found'), 'pause', 404],
    ['405', restError(405, 'method not allowed'), 'permanent', 405],
    ['422', restError(422, 'unprocessable'), 'permanent', 422],
    ['SDK preflight validation', new Error('Missing mandatory field: dst'), 'permanent', undefined],
    ['401', restError(401, 'authentication failed'), 'pause', 401],
    ['403 geo permission', restError(403, 'destination country barred (geo permissions)'), 'pause', 403],
    ['402 (plain Error)', plainStatusError(402), 'pause', 402],
    ['400 Insufficient Credit', restError(400, 'Insufficient Credit'), 'pause', 400],
  ])('should classify %s as %s', (_name, error, kind, status) => {
    const classified = classifyPlivoError(error);

    expect(classified).toBeInstanceOf(SmsGatewayError);
    expect(classified.kind).toBe(kind);
    expect(classified.status).toBe(status);
    expect(classified.retryAfterMs).toBeUndefined();
    expect(classified.cause).toBe(error);
  });

  it('should keep only the first line of a stack in the message', () => {
    const classified = classifyPlivoError(stackString('Error: socket hang up'));

    expect(classified.message).toBe(
      'Connection to Plivo lost; the request may have been processed: Error: socket hang up',
    );
  });

  it('should pass an SmsGatewayError through unchanged', () => {
    const error = new SmsGatewayError('permanent', 'too many recipients');

    expect(classifyPlivoError(error)).toBe(error);
  });
});
