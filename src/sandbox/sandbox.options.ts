import { randomBytes } from 'node:crypto';
import { SenderType } from './sandbox-message-request';
import { SANDBOX_COUNTRIES } from './sandbox-prices';

export type OutcomeStatus = 'delivered' | 'undelivered' | 'failed' | 'rejected';
export type OutcomeMix = Record<OutcomeStatus, number>;

export interface ForcedOutcome {
  status: OutcomeStatus;
  errorCode?: string;
}

export interface CountryOutcome {
  status: Exclude<OutcomeStatus, 'delivered'>;
  rate: number;
}

export interface SandboxOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  authId: string;
  authToken: string;
  /** Signs callbacks (V3 and Ma-V3). Plivo signs with the auth token, so that is the default. */
  webhookSecret: string;
  /** Seeds every fault and outcome decision. */
  seed: number;
  /** Multiplies every Plivo duration: 0.001 turns 60 s into 60 ms. */
  timeScale: number;
  /** Account MPS (messages per second, in Plivo time). */
  mps: number;
  /** Optional separate queues per sender type; unset types share the account queue. */
  mpsBySenderType: Partial<Record<SenderType, number>>;
  rateLimitRequests: number;
  /** Real milliseconds (not scaled): the limit is on the HTTP client. */
  rateLimitWindowMs: number;
  maxConcurrentRequests: number;
  /** ISO codes whose numbers are valid. */
  countries: string[];
  /** No delivery receipts: messages stop at `sent`. */
  noReceiptCountries: string[];
  /** Geo permissions: all-barred requests get 403; mixed ones fail with 450. */
  barredCountries: string[];
  outcomes: OutcomeMix;
  /** Forced final outcome for given numbers (E.164 or digits). */
  outcomeByNumber: Record<string, ForcedOutcome>;
  /** Per country (ISO code): this share of its messages ends with this status (the brake's drill). */
  countryOutcomes: Record<string, CountryOutcome>;
  /** Time from `sent` to the final receipt, Plivo time. */
  dlrDelayMs: number;
  /** Plivo waits 8 s for a callback answer: real milliseconds, never scaled by timeScale. */
  callbackTimeoutMs: number;
  /** Plivo retries after 60, 120, 240 s (scaled). */
  callbackRetryDelaysMs: number[];
  callbackConcurrency: number;
  callbackDuplicateRate: number;
  callbackReorderRate: number;
  callbackLossRate: number;
  /**
   * Whether a `queued` callback is posted when a batch is accepted. Off, a message's first callback is
   * its `sent`: what a service sees of a batch Plivo queued behind an error answer until it is sent.
   */
  queuedCallbacks: boolean;
  /** Added to every API answer, real milliseconds. */
  latencyMs: number;
  errorRate: number;
  errorStatus: number;
  /** Whether an injected error answer comes after the batch was accepted; auto = 500/502/504 yes. */
  errorAccepts: 'auto' | 'always' | 'never';
  timeoutRate: number;
  resetRate: number;
  resetMode: 'before' | 'after';
  /** A 429 storm: every API request is 429 from start to start+duration (ms since start/configure). */
  stormStartMs: number;
  stormDurationMs: number;
  /** Account balance in USD; null = unlimited. */
  creditUsd: number | null;
  /** Plivo's Message URL (Application → Message URL): where recipients' replies are posted, signed. */
  inboundUrl: string | null;
  /** Share of delivered messages whose recipient replies STOP / HELP / free text. */
  inboundStopRate: number;
  inboundHelpRate: number;
  inboundTextRate: number;
  /** Plivo milliseconds (scaled by timeScale) between delivery and the reply. */
  inboundDelayMs: number;
  /** Numbers opted out at the carrier: every message to them fails with error 200. */
  carrierOptOutNumbers: string[];
  /** A recipient who replies STOP is also opted out at the carrier (US toll-free and 10DLC behave so). */
  carrierOptOutOnStop: boolean;
}

/** What `configure()` and `POST /__sandbox/config` may change while running. */
export type SandboxRuntimeConfig = Partial<
  Omit<SandboxOptions, 'host' | 'port' | 'authId' | 'authToken' | 'webhookSecret'>
>;

export const SANDBOX_STANDALONE_AUTH_ID = 'MASANDBOX00000000001';
export const SANDBOX_STANDALONE_AUTH_TOKEN = 'sandbox-auth-token-not-a-secret-00000001';
export const SANDBOX_STANDALONE_PORT = 4010;

export const DEFAULT_OUTCOMES: OutcomeMix = { delivered: 0.95, undelivered: 0.03, failed: 0.015, rejected: 0.005 };

/** In-process defaults: random credentials, free port, real time. */
export function defaultSandboxOptions(overrides: Partial<SandboxOptions> = {}): SandboxOptions {
  const authToken = overrides.authToken ?? randomBytes(20).toString('hex');
  return {
    host: '127.0.0.1',
    port: 0,
    authId: `MA${randomBytes(9).toString('hex').toUpperCase()}`,
    authToken,
    webhookSecret: authToken,
    seed: 1,
    timeScale: 1,
    mps: 5,
    mpsBySenderType: {},
    rateLimitRequests: 300,
    rateLimitWindowMs: 5000,
    maxConcurrentRequests: 100,
    countries: SANDBOX_COUNTRIES.map((c) => c.iso),
    noReceiptCountries: ['US', 'CA'],
    barredCountries: [],
    outcomes: { ...DEFAULT_OUTCOMES },
    outcomeByNumber: {},
    countryOutcomes: {},
    dlrDelayMs: 3000,
    callbackTimeoutMs: 8000,
    callbackRetryDelaysMs: [60_000, 120_000, 240_000],
    callbackConcurrency: 256,
    callbackDuplicateRate: 0,
    callbackReorderRate: 0,
    callbackLossRate: 0,
    queuedCallbacks: true,
    latencyMs: 0,
    errorRate: 0,
    errorStatus: 500,
    errorAccepts: 'auto',
    timeoutRate: 0,
    resetRate: 0,
    resetMode: 'after',
    stormStartMs: 0,
    stormDurationMs: 0,
    creditUsd: null,
    inboundUrl: null,
    inboundStopRate: 0,
    inboundHelpRate: 0,
    inboundTextRate: 0,
    inboundDelayMs: 2000,
    carrierOptOutNumbers: [],
    carrierOptOutOnStop: false,
    ...overrides,
  };
}

type Parser = (value: string) => { value?: unknown; error?: string };

const number =
  (min: number, max = Number.POSITIVE_INFINITY, integer = false): Parser =>
  (raw) => {
    const value = Number(raw);
    if (
      raw.trim() === '' ||
      !Number.isFinite(value) ||
      value < min ||
      value > max ||
      (integer && !Number.isInteger(value))
    ) {
      return { error: `must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max}` };
    }
    return { value };
  };
const rate = number(0, 1);
const text: Parser = (raw) => (raw.trim() === '' ? { error: 'must not be empty' } : { value: raw.trim() });
const countries: Parser = (raw) => {
  const list = raw
    .split(',')
    .map((c) => c.trim().toUpperCase())
    .filter(Boolean);
  const bad = list.filter((c) => !/^[A-Z]{2}$/.test(c));
  return bad.length > 0
    ? { error: `must be comma-separated ISO alpha-2 codes (bad: ${bad.join(', ')})` }
    : { value: list };
};
const oneOf =
  (...values: string[]): Parser =>
  (raw) =>
    values.includes(raw.trim()) ? { value: raw.trim() } : { error: `must be one of ${values.join(', ')}` };
const durations: Parser = (raw) => {
  const list = raw.split(',').map((d) => Number(d.trim()));
  return list.some((d) => !Number.isFinite(d) || d < 0)
    ? { error: 'must be comma-separated non-negative milliseconds' }
    : { value: list };
};
const outcomes: Parser = (raw) => {
  const mix: Partial<OutcomeMix> = {};
  for (const entry of raw.split(',').filter((e) => e.trim() !== '')) {
    const [key, weight] = entry.split(/[:=]/).map((s) => s.trim());
    if (
      !['delivered', 'undelivered', 'failed', 'rejected'].includes(key) ||
      !Number.isFinite(Number(weight)) ||
      Number(weight) < 0
    ) {
      return { error: 'must look like delivered:0.95,undelivered:0.03,failed:0.015,rejected:0.005' };
    }
    mix[key as OutcomeStatus] = Number(weight);
  }
  const full = { delivered: 0, undelivered: 0, failed: 0, rejected: 0, ...mix };
  return Object.values(full).some((w) => w > 0) ? { value: full } : { error: 'needs at least one positive weight' };
};
const numbers: Parser = (raw) => {
  const list = raw
    .split(',')
    .map((n) => n.trim().replace(/^\+/, ''))
    .filter(Boolean);
  const bad = list.filter((n) => !/^\d{6,15}$/.test(n));
  return bad.length > 0 ? { error: `must be comma-separated phone numbers (bad: ${bad.join(', ')})` } : { value: list };
};
const flag: Parser = (raw) =>
  ['1', 'true', 'yes', 'on', '0', 'false', 'no', 'off'].includes(raw.trim().toLowerCase())
    ? { value: ['1', 'true', 'yes', 'on'].includes(raw.trim().toLowerCase()) }
    : { error: 'must be true or false' };
const countryOutcomes: Parser = (raw) => {
  const rules: Record<string, CountryOutcome> = {};
  for (const entry of raw.split(',').filter((e) => e.trim() !== '')) {
    const [country, status, rate] = entry.split(':').map((s) => s.trim());
    if (
      !/^[A-Za-z]{2}$/.test(country ?? '') ||
      !['undelivered', 'failed', 'rejected'].includes(status) ||
      !(Number(rate) >= 0 && Number(rate) <= 1)
    ) {
      return {
        error: 'must look like IN:failed:0.6,GB:undelivered:0.3 (status undelivered, failed or rejected; rate 0 to 1)',
      };
    }
    rules[country.toUpperCase()] = { status: status as CountryOutcome['status'], rate: Number(rate) };
  }
  return { value: rules };
};
const credit: Parser = (raw) => (raw.trim().toLowerCase() === 'unlimited' ? { value: null } : number(0)(raw));

const ENV: Array<[string, keyof SandboxOptions | `mpsBySenderType.${SenderType}`, Parser]> = [
  ['SANDBOX_HOST', 'host', text],
  ['SANDBOX_PORT', 'port', number(0, 65535, true)],
  ['SANDBOX_AUTH_ID', 'authId', text],
  ['SANDBOX_AUTH_TOKEN', 'authToken', text],
  ['SANDBOX_WEBHOOK_SECRET', 'webhookSecret', text],
  ['SANDBOX_SEED', 'seed', number(0, 2 ** 32 - 1, true)],
  ['SANDBOX_TIME_SCALE', 'timeScale', number(0.000001, 1000)],
  ['SANDBOX_MPS', 'mps', number(0.001, 100_000)],
  ['SANDBOX_MPS_LONG_CODE', 'mpsBySenderType.long_code', number(0.001, 100_000)],
  ['SANDBOX_MPS_TOLL_FREE', 'mpsBySenderType.toll_free', number(0.001, 100_000)],
  ['SANDBOX_MPS_SHORT_CODE', 'mpsBySenderType.short_code', number(0.001, 100_000)],
  ['SANDBOX_MPS_ALPHANUMERIC', 'mpsBySenderType.alphanumeric', number(0.001, 100_000)],
  ['SANDBOX_RATE_LIMIT_REQUESTS', 'rateLimitRequests', number(1, 10_000_000, true)],
  ['SANDBOX_RATE_LIMIT_WINDOW_MS', 'rateLimitWindowMs', number(1, 3_600_000, true)],
  ['SANDBOX_MAX_CONCURRENT_REQUESTS', 'maxConcurrentRequests', number(1, 100_000, true)],
  ['SANDBOX_COUNTRIES', 'countries', countries],
  ['SANDBOX_NO_RECEIPT_COUNTRIES', 'noReceiptCountries', countries],
  ['SANDBOX_BARRED_COUNTRIES', 'barredCountries', countries],
  ['SANDBOX_OUTCOMES', 'outcomes', outcomes],
  ['SANDBOX_COUNTRY_OUTCOMES', 'countryOutcomes', countryOutcomes],
  ['SANDBOX_DLR_DELAY_MS', 'dlrDelayMs', number(0, 86_400_000)],
  ['SANDBOX_CALLBACK_TIMEOUT_MS', 'callbackTimeoutMs', number(1, 600_000)],
  ['SANDBOX_CALLBACK_RETRY_DELAYS_MS', 'callbackRetryDelaysMs', durations],
  ['SANDBOX_CALLBACK_CONCURRENCY', 'callbackConcurrency', number(1, 10_000, true)],
  ['SANDBOX_CALLBACK_DUPLICATE_RATE', 'callbackDuplicateRate', rate],
  ['SANDBOX_CALLBACK_REORDER_RATE', 'callbackReorderRate', rate],
  ['SANDBOX_CALLBACK_LOSS_RATE', 'callbackLossRate', rate],
  ['SANDBOX_QUEUED_CALLBACKS', 'queuedCallbacks', flag],
  ['SANDBOX_LATENCY_MS', 'latencyMs', number(0, 600_000)],
  ['SANDBOX_ERROR_RATE', 'errorRate', rate],
  ['SANDBOX_ERROR_STATUS', 'errorStatus', number(400, 599, true)],
  ['SANDBOX_ERROR_ACCEPTS', 'errorAccepts', oneOf('auto', 'always', 'never')],
  ['SANDBOX_TIMEOUT_RATE', 'timeoutRate', rate],
  ['SANDBOX_RESET_RATE', 'resetRate', rate],
  ['SANDBOX_RESET_MODE', 'resetMode', oneOf('before', 'after')],
  ['SANDBOX_STORM_START_MS', 'stormStartMs', number(0)],
  ['SANDBOX_STORM_DURATION_MS', 'stormDurationMs', number(0)],
  ['SANDBOX_CREDIT_USD', 'creditUsd', credit],
  ['SANDBOX_INBOUND_URL', 'inboundUrl', text],
  ['SANDBOX_INBOUND_STOP_RATE', 'inboundStopRate', rate],
  ['SANDBOX_INBOUND_HELP_RATE', 'inboundHelpRate', rate],
  ['SANDBOX_INBOUND_TEXT_RATE', 'inboundTextRate', rate],
  ['SANDBOX_INBOUND_DELAY_MS', 'inboundDelayMs', number(0, 86_400_000)],
  ['SANDBOX_CARRIER_OPT_OUT_NUMBERS', 'carrierOptOutNumbers', numbers],
  ['SANDBOX_CARRIER_OPT_OUT_ON_STOP', 'carrierOptOutOnStop', flag],
];

const KNOWN_KEYS = new Set(Object.keys(defaultSandboxOptions()));

export const SANDBOX_ENV_VARIABLES = ENV.map(([name]) => name);

/**
 * Reads SANDBOX_* variables for the standalone sandbox (fixed, documented credentials by default).
 * Returns every problem at once.
 */
export function parseSandboxOptions(raw: Record<string, string | undefined>): {
  options?: SandboxOptions;
  errors: string[];
} {
  const errors: string[] = [];
  const options = defaultSandboxOptions({
    port: SANDBOX_STANDALONE_PORT,
    authId: SANDBOX_STANDALONE_AUTH_ID,
    authToken: SANDBOX_STANDALONE_AUTH_TOKEN,
    webhookSecret: undefined,
  });
  const target = options as unknown as Record<string, unknown>;
  for (const [name, key, parse] of ENV) {
    const value = raw[name];
    if (value === undefined || value === '') {
      continue;
    }
    const result = parse(value);
    if (result.error) {
      errors.push(`${name} ${result.error} (got "${value}")`);
    } else if (key.startsWith('mpsBySenderType.')) {
      options.mpsBySenderType[key.slice('mpsBySenderType.'.length) as SenderType] = result.value as number;
    } else {
      target[key] = result.value;
    }
  }
  options.webhookSecret ??= options.authToken;
  errors.push(...validateRuntimeConfig(options));
  return errors.length > 0 ? { errors } : { options, errors };
}

/** Cross-field and type checks shared by env parsing, `configure()` and the control API. */
export function validateRuntimeConfig(config: SandboxRuntimeConfig): string[] {
  const errors: string[] = [];
  for (const key of Object.keys(config)) {
    if (!KNOWN_KEYS.has(key)) {
      errors.push(`unknown sandbox setting: ${key}`);
    }
  }
  const rates = [
    'callbackDuplicateRate',
    'callbackReorderRate',
    'callbackLossRate',
    'errorRate',
    'timeoutRate',
    'resetRate',
    'inboundStopRate',
    'inboundHelpRate',
    'inboundTextRate',
  ] as const;
  for (const key of rates) {
    const value = config[key];
    if (value !== undefined && !(typeof value === 'number' && value >= 0 && value <= 1)) {
      errors.push(`${key} must be a number between 0 and 1`);
    }
  }
  const faultSum = (config.errorRate ?? 0) + (config.timeoutRate ?? 0) + (config.resetRate ?? 0);
  if (faultSum > 1) {
    errors.push(`errorRate + timeoutRate + resetRate must not exceed 1 (got ${faultSum})`);
  }
  const positives = [
    'timeScale',
    'mps',
    'rateLimitRequests',
    'rateLimitWindowMs',
    'maxConcurrentRequests',
    'callbackConcurrency',
    'callbackTimeoutMs',
  ] as const;
  for (const key of positives) {
    const value = config[key];
    if (value !== undefined && !(typeof value === 'number' && value > 0)) {
      errors.push(`${key} must be a positive number`);
    }
  }
  const replySum = (config.inboundStopRate ?? 0) + (config.inboundHelpRate ?? 0) + (config.inboundTextRate ?? 0);
  if (replySum > 1) {
    errors.push(`inboundStopRate + inboundHelpRate + inboundTextRate must not exceed 1 (got ${replySum})`);
  }
  if (config.inboundUrl !== undefined && config.inboundUrl !== null && !/^https?:\/\/\S+$/.test(config.inboundUrl)) {
    errors.push('inboundUrl must be an http(s) URL or null');
  }
  const nonNegatives = [
    'dlrDelayMs',
    'latencyMs',
    'stormStartMs',
    'stormDurationMs',
    'seed',
    'inboundDelayMs',
  ] as const;
  for (const key of nonNegatives) {
    const value = config[key];
    if (value !== undefined && !(typeof value === 'number' && value >= 0)) {
      errors.push(`${key} must be a non-negative number`);
    }
  }
  if (
    config.errorStatus !== undefined &&
    !(Number.isInteger(config.errorStatus) && config.errorStatus >= 400 && config.errorStatus <= 599)
  ) {
    errors.push('errorStatus must be an HTTP status between 400 and 599');
  }
  if (
    config.creditUsd !== undefined &&
    config.creditUsd !== null &&
    !(typeof config.creditUsd === 'number' && config.creditUsd >= 0)
  ) {
    errors.push('creditUsd must be null (unlimited) or a non-negative number');
  }
  if (
    config.callbackRetryDelaysMs !== undefined &&
    !(
      Array.isArray(config.callbackRetryDelaysMs) &&
      config.callbackRetryDelaysMs.every((d) => typeof d === 'number' && d >= 0)
    )
  ) {
    errors.push('callbackRetryDelaysMs must be a list of non-negative numbers');
  }
  if (config.outcomes !== undefined) {
    const weights = Object.values(config.outcomes);
    if (weights.some((w) => typeof w !== 'number' || w < 0) || !weights.some((w) => w > 0)) {
      errors.push('outcomes needs non-negative weights with at least one positive');
    }
  }
  for (const [country, rule] of Object.entries(config.countryOutcomes ?? {})) {
    if (!['undelivered', 'failed', 'rejected'].includes(rule.status) || !(rule.rate >= 0 && rule.rate <= 1)) {
      errors.push(`countryOutcomes.${country} needs a status undelivered, failed or rejected and a rate from 0 to 1`);
    }
  }
  for (const [number, forced] of Object.entries(config.outcomeByNumber ?? {})) {
    if (!['delivered', 'undelivered', 'failed', 'rejected'].includes(forced.status)) {
      errors.push(`outcomeByNumber[${number}].status must be delivered, undelivered, failed or rejected`);
    }
  }
  for (const [key, value] of Object.entries(config.mpsBySenderType ?? {})) {
    if (
      !['long_code', 'toll_free', 'short_code', 'alphanumeric'].includes(key) ||
      !(typeof value === 'number' && value > 0)
    ) {
      errors.push(
        `mpsBySenderType.${key} must be a positive number for long_code, toll_free, short_code or alphanumeric`,
      );
    }
  }
  return errors;
}
