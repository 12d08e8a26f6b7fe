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
