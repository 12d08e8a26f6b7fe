/**
 * Paths pino replaces by "[redacted]": API keys, Plivo signatures and credentials, and phone
 * numbers wherever they appear under a known field name (one or two levels deep).
 */
const SECRET_HEADERS = [
  'x-api-key',
  'authorization',
  'cookie',
  'x-plivo-signature-v3',
  'x-plivo-signature-ma-v3',
  'x-plivo-signature-v3-nonce',
];
const SENSITIVE_FIELDS = [
  'apiKey',
  'api_key',
  'authToken',
  'auth_token',
  'password',
  'secret',
  'webhookSecret',
  'token',
  'to',
  'To',
  'from',
  'From',
  'phone',
  'dst',
  'recipients',
  'e164',
  'connectionParams',
];

export const REDACTED_PATHS: string[] = [
  ...SECRET_HEADERS.flatMap((header) => [`req.headers["${header}"]`, `headers["${header}"]`]),
  'res.headers["set-cookie"]',
  ...SENSITIVE_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
];

export const REDACTION_CENSOR = '[redacted]';

/**
 * A URL as logged: path only. Query strings carry phone numbers (webhook parameters, GraphQL GET
 * variables) and tokens, whatever the path or its letter case, so every one is dropped.
 */
export function redactUrl(url: string | undefined): string | undefined {
  if (url === undefined) {
    return undefined;
  }
  const end = url.search(/[?#]/);
  return end === -1 ? url : `${url.slice(0, end)}?${REDACTION_CENSOR}`;
}
