import 'reflect-metadata';
import { plainToInstance, Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
  ValidationError,
} from 'class-validator';

import { sendWindowConfigProblems } from '../quiet-hours/send-window-defaults';

const PLIVO_VARIABLES = ['PLIVO_AUTH_ID', 'PLIVO_AUTH_TOKEN', 'PLIVO_SENDER_ID'] as const;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);
const toBoolean = ({ value }: { value: unknown }) =>
  value === undefined || value === ''
    ? undefined
    : ['1', 'true', 'yes', 'on'].includes(typeof value === 'string' ? value.toLowerCase() : JSON.stringify(value));

/**
 * Every environment variable the service reads, with its rules. Defaults live here as field
 * initialisers; `loadEnvironment` is the only place that looks at `process.env`.
 */
export class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  // Any length: the public contract fixes none, and a setup with API_KEY=test-key must start. One
  // shorter than MIN_STRONG_KEY_LENGTH is warned about at every start (BootstrapApiKeyService).
  // Longer than 256 it could never be presented (ApiKeyService refuses such a header).
  @MaxLength(256, { message: 'API_KEY must be at most 256 characters long' })
  API_KEY?: string;

  // The admin key (scope `admin`: accounts, keys, settings, audit log). Unset: generated on first
  // start into DATA_DIR/admin-api-key, except in production (no admin key then).
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'ADMIN_API_KEY must be at least 16 characters long' })
  ADMIN_API_KEY?: string;

  // 32 bytes, base64 or hex: encrypts the secrets in account settings (AES-256-GCM). Required to
  // store per-account Plivo credentials.
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, {
    message:
      'SETTINGS_ENCRYPTION_KEY must be 32 bytes as 64 hex digits or 44 base64 characters (openssl rand -base64 32)',
  })
  SETTINGS_ENCRYPTION_KEY?: string;

  // In production with a real Plivo account, the embedded database is refused unless this is true.
  @Transform(toBoolean)
  @IsOptional()
  @IsBoolean()
  ALLOW_EMBEDDED_DB?: boolean;

  // The GraphiQL explorer at GET /graphql (from a browser); on by default outside production.
  @Transform(toBoolean)
  @IsOptional()
  @IsBoolean()
  GRAPHQL_EXPLORER?: boolean;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, {
    message:
      'DATABASE_URL must be a postgres:// or postgresql:// URL (unset it to use the embedded PGlite database under DATA_DIR)',
  })
  DATABASE_URL?: string;

  @IsString()
  @MinLength(1)
  DATA_DIR = './data';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  PLIVO_AUTH_ID?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  PLIVO_AUTH_TOKEN?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  PLIVO_SENDER_ID?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, {
    message: 'PLIVO_API_URL must be an http(s) URL, e.g. https://api.plivo.com/v1/Account/',
  })
  PLIVO_API_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'PLIVO_WEBHOOK_SECRET must be at least 8 characters long' })
  PLIVO_WEBHOOK_SECRET?: string;

  @Type(() => Number)
  @IsInt()
  @Min(100)
  PLIVO_TIMEOUT_MS = 30_000;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\/[^\s?#]+$/, { message: 'API_BASE_URL must be an http(s) URL without query or fragment' })
  API_BASE_URL?: string;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_MAX = 10;

  // Largest body of any request (JSON and form), also of a graphql-ws message.
  @Matches(/^\d+(b|kb|mb)$/i, { message: 'BODY_LIMIT must look like 512kb or 1mb' })
  BODY_LIMIT = '1mb';

  // Largest body of a sendBulk or quote, accepted only after the API key is authenticated;
  // 32mb holds a campaign of 1,000,000 recipients (the maximum).
  @Matches(/^\d+(b|kb|mb)$/i, { message: 'BULK_BODY_LIMIT must look like 32mb' })
  BULK_BODY_LIMIT = '32mb';

  // Requests with a body over BODY_LIMIT read and processed at once per instance; the next ones wait.
  @Type(() => Number)
  @IsInt()
  @Min(1)
  BULK_BODY_CONCURRENCY = 1;

  // A body over BODY_LIMIT that holds a slot and sends nothing for this long is answered 408 and closed.
  @Type(() => Number)
  @IsInt()
  @Min(100)
  BULK_BODY_IDLE_TIMEOUT_MS = 10_000;

  // The threads that parse large bodies and validate large recipient lists, started and warmed up at boot
  // and kept (~30-50 MB), so that the first large campaign does not wait for them. Unset: on with DATABASE_URL
  // (except NODE_ENV=test), off on the embedded database, whose memory goal is tighter.
  @Transform(toBoolean)
  @IsOptional()
  @IsBoolean()
  WORKER_THREADS_READY?: boolean;

  // Recipient lists (POST /api/recipient-lists) can be sent this many hours after their upload, then are deleted.
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(8760)
  RECIPIENT_LIST_TTL_HOURS = 72;

  // Largest recipient-list upload (streamed, never held in memory whole); 1,000,000 rows of phone + a few fields fit.
  @Matches(/^\d+(b|kb|mb)$/i, { message: 'RECIPIENT_LIST_MAX_BYTES must look like 200mb' })
  RECIPIENT_LIST_MAX_BYTES = '200mb';

  // Requests without a valid API key (missing or unknown key) per client address and window;
  // past it, 429 without a database lookup.
  @Type(() => Number)
  @IsInt()
  @Min(1)
  AUTH_RATE_LIMIT = 60;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  AUTH_RATE_WINDOW_SECONDS = 60;

  // graphql-ws: open connections per API key, operations in flight per connection, and how often
  // open connections are checked for a revoked key (closed with 4403).
  @Type(() => Number)
  @IsInt()
  @Min(1)
  WS_MAX_CONNECTIONS_PER_KEY = 10;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  WS_MAX_SUBSCRIPTIONS_PER_CONNECTION = 10;

  @Type(() => Number)
  @IsPositive()
  WS_AUTH_RECHECK_SECONDS = 5;

  // Web console: how long a sign-in (POST /api/session) lasts.
  @Type(() => Number)
  @IsPositive()
  @Max(24 * 30)
  CONSOLE_SESSION_HOURS = 12;

  // Bearer token required on GET /metrics when set (Authorization: Bearer <token>).
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters long' })
  METRICS_TOKEN?: string;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  GRAPHQL_RATE_LIMIT = 600;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  GRAPHQL_RATE_WINDOW_SECONDS = 60;

  @Type(() => Number)
  @IsInt()
  @Min(2)
  @Max(50)
  GRAPHQL_MAX_DEPTH = 8;

  @Type(() => Number)
  @IsInt()
  @Min(10)
  GRAPHQL_MAX_COMPLEXITY = 20_000;

  // Lexical tokens in one GraphQL document: the parser stops past it (graphql-js maxTokens).
  @Type(() => Number)
  @IsInt()
  @Min(100)
  GRAPHQL_MAX_TOKENS = 10_000;

  // Field selections (aliases included, fragments expanded) in one operation.
  @Type(() => Number)
  @IsInt()
  @Min(10)
  GRAPHQL_MAX_FIELDS = 500;

  @Transform(toBoolean)
  @IsOptional()
  @IsBoolean()
  GRAPHQL_INTROSPECTION?: boolean;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^redis(s)?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL?: string;

  // Prefix of the Redis pub/sub channels: deployments (or test runs) sharing one Redis keep apart.
  @Matches(/^[A-Za-z0-9._:-]{1,64}$/, {
    message: 'REDIS_CHANNEL_PREFIX must be 1 to 64 letters, digits, dots, colons, dashes or underscores',
  })
  REDIS_CHANNEL_PREFIX = 'bulk-sms:';

  // Senders a campaign may use besides PLIVO_SENDER_ID (comma-separated numbers or alphanumeric IDs).
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[^,\s]+(\s*,\s*[^,\s]+)*$/, { message: 'SENDER_IDS must be a comma-separated list of sender IDs' })
  SENDER_IDS?: string;

  // How far ahead sendBulk's scheduledAt may be, in days (Twilio allows 35).
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  MAX_SCHEDULE_AHEAD_DAYS = 35;

  // The account's outbound messages per second at Plivo (Plivo's default is 5).
  @Type(() => Number)
  @IsPositive()
  PLIVO_MPS = 5;

  // Per-sender MPS where a sender is slower or faster than the account, e.g. "+14155550100=1,MyBrand=10".
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[^=,\s]+=\d+(\.\d+)?(\s*,\s*[^=,\s]+=\d+(\.\d+)?)*$/, {
    message: 'PLIVO_SENDER_MPS must look like "+14155550100=1,MyBrand=10"',
  })
  PLIVO_SENDER_MPS?: string;

  // message_expiry sent with every batch (Plivo: 5 to 10,799 s); pacing keeps Plivo's queue shorter than this.
  @Type(() => Number)
  @IsInt()
  @Min(5)
  @Max(10_799)
  PLIVO_MESSAGE_EXPIRY_SECONDS = 10_799;

  // Plivo's API limits: requests per 5 seconds and simultaneous requests, per account.
  @Type(() => Number)
  @IsInt()
  @Min(1)
  PLIVO_API_REQUESTS_PER_5S = 300;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  PLIVO_API_CONCURRENCY = 100;

  // Plivo's list-messages API allows 20 requests per minute (used to settle ambiguous batches).
  @Type(() => Number)
  @IsPositive()
  PLIVO_LIST_REQUESTS_PER_MINUTE = 20;

  // Recipients per Plivo request (Plivo's maximum is 1,000).
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  DISPATCH_BATCH_SIZE = 1000;

  // Just-in-time submission: each sender lane's queue at Plivo holds at most this many seconds of its
  // MPS, so pause, cancel and budgets act within seconds (Plivo cannot withdraw a queued message).
  // A batch holds min(DISPATCH_BATCH_SIZE, MPS x lead) recipients. Capped at 80 % of PLIVO_MESSAGE_EXPIRY_SECONDS.
  @Type(() => Number)
  @IsPositive()
  @Max(3600)
  DISPATCH_LEAD_SECONDS = 10;

  // Batches one instance submits at the same time.
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  DISPATCH_CONCURRENCY = 8;

  // How often an idle dispatcher looks for due batches.
  @Type(() => Number)
  @IsInt()
  @Min(10)
  DISPATCH_POLL_MS = 500;

  // Once a second of polls found nothing due, the dispatcher polls this often instead (sendBulk, resume and
  // the scheduler wake it at once; an idle poll only finds work stored by another instance, or a retry
  // coming due). A value below DISPATCH_POLL_MS is taken as that interval.
  @Type(() => Number)
  @IsInt()
  @Min(10)
  DISPATCH_IDLE_POLL_MS = 1000;

  // A submitting batch is leased for PLIVO_TIMEOUT_MS plus this margin; after a crash, another
  // instance takes it over (and reconciles it) when the lease has expired.
  @Type(() => Number)
  @IsPositive()
  DISPATCH_LEASE_MARGIN_SECONDS = 30;

  // Transient failures: at most this many attempts per batch, and no retry after this age.
  @Type(() => Number)
  @IsInt()
  @Min(1)
  DISPATCH_MAX_ATTEMPTS = 8;

  // Transient failures are retried for at most this long after the batch's first attempt (waiting
  // for a send window, a schedule or a resume does not count).
  @Type(() => Number)
  @IsPositive()
  DISPATCH_MAX_AGE_SECONDS = 6 * 3600;

  // First retry delay; doubles per attempt, with jitter, capped at DISPATCH_RETRY_MAX_SECONDS.
  @Type(() => Number)
  @IsPositive()
  DISPATCH_RETRY_BASE_SECONDS = 2;

  @Type(() => Number)
  @IsPositive()
  DISPATCH_RETRY_MAX_SECONDS = 300;

  // An ambiguous batch (timeout, reset) is first checked this long after the attempt, then again
  // at this interval, at most DISPATCH_RECONCILE_ATTEMPTS times before its messages fail unconfirmed.
  @Type(() => Number)
  @IsPositive()
  DISPATCH_RECONCILE_DELAY_SECONDS = 60;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  DISPATCH_RECONCILE_ATTEMPTS = 10;

  // Delivery reports: a SENT message with no final report after this window becomes UNCONFIRMED.
  @Type(() => Number)
  @IsPositive()
  RECEIPT_WINDOW_SECONDS = 24 * 3600;

  // Countries whose carriers send no delivery receipts (US, CA), and their shorter window.
  @Matches(/^([A-Za-z]{2}(\s*,\s*[A-Za-z]{2})*)?$/, { message: 'NO_RECEIPT_COUNTRIES must be ISO codes such as US,CA' })
  NO_RECEIPT_COUNTRIES = 'US,CA';

  @Type(() => Number)
  @IsPositive()
  NO_RECEIPT_WINDOW_SECONDS = 900;

  // Messages still without a final report this long after submission are looked up at Plivo
  // (reports lost after Plivo's last callback retry), every OVERDUE_POLL_INTERVAL_SECONDS.
  @Type(() => Number)
  @IsPositive()
  OVERDUE_AFTER_SECONDS = 1800;

  @Type(() => Number)
  @IsPositive()
  OVERDUE_POLL_INTERVAL_SECONDS = 300;

  // Largest delivery-report body accepted by the webhook.
  @Matches(/^\d+(b|kb|mb)$/i, { message: 'WEBHOOK_BODY_LIMIT must look like 64kb' })
  WEBHOOK_BODY_LIMIT = '64kb';

  // The webhook answers within this many ms: a report not yet committed by then gets 503 (Plivo retries it;
  // a retry of a report stored meanwhile is a duplicate). Plivo waits 8 s; keep well below.
  @Type(() => Number)
  @IsInt()
  @Min(50)
  @Max(7000)
  WEBHOOK_ANSWER_TIMEOUT_MS = 1000;

  // Reports waiting to be written at once; past this the webhook answers 503 at once (bounded memory).
  @Type(() => Number)
  @IsInt()
  @Min(1)
  WEBHOOK_MAX_PENDING = 20000;

  // A signature nonce seen again within this window is a replay: answered 200 without effect.
  @Type(() => Number)
  @IsPositive()
  WEBHOOK_REPLAY_WINDOW_SECONDS = 600;

  // Stored reports are applied to messages in batches of at most this many, every REPORT_APPLY_INTERVAL_MS.
  @Type(() => Number)
  @IsInt()
  @Min(1)
  REPORT_APPLY_BATCH_SIZE = 2000;

  @Type(() => Number)
  @IsInt()
  @Min(5)
  REPORT_APPLY_INTERVAL_MS = 50;

  // After a second of passes that found nothing, the applier polls this often instead (a wake-up from the
  // intake, or a pass that finds reports, brings it back to REPORT_APPLY_INTERVAL_MS at once). A value below
  // REPORT_APPLY_INTERVAL_MS is taken as that interval: it only ever slows the loop down.
  @Type(() => Number)
  @IsInt()
  @Min(5)
  REPORT_APPLY_IDLE_INTERVAL_MS = 1000;

  // A SENDING campaign none of whose messages changed state for this long is shown as stalled.
  @Type(() => Number)
  @IsPositive()
  STALL_AFTER_SECONDS = 300;

  // Quiet hours (docs/sending.md): the send window of every country without its own, e.g.
  // "08:00-21:00" or "09:00-20:00 MON,TUE,WED,THU,FRI"; unset: any time.
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  SEND_WINDOW_DEFAULT?: string;

  // Per-country send windows, e.g. "US=08:00-21:00;FR=08:00-20:00 MON,TUE,WED,THU,FRI,SAT"; "XX=any" for none.
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  SEND_WINDOW_COUNTRY_DEFAULTS?: string;

  // The automatic brake (docs/sending.md): a campaign stops sending to a country whose rolling
  // failure or opt-out rate passes these thresholds.
  @Transform(toBoolean)
  @IsBoolean()
  BRAKE_ENABLED = true;

  // What a tripped brake pauses: the country's waiting messages, or the whole campaign.
  @IsIn(['country', 'campaign'])
  BRAKE_SCOPE: 'country' | 'campaign' = 'country';

  // The rolling windows: the last N sends and the last N receipts of a campaign in a country.
  @Type(() => Number)
  @IsInt()
  @Min(1)
  BRAKE_WINDOW_REPORTS = 200;

  // No decision on fewer sends than this (a few early failures are noise); receipts count from this many.
  @Type(() => Number)
  @IsInt()
  @Min(1)
  BRAKE_MIN_REPORTS = 50;

  // Trips when failed + undelivered exceed this share of the window.
  @Type(() => Number)
  @Min(0)
  @Max(1)
  BRAKE_FAILURE_RATE = 0.2;

  // Trips when opt-outs (Plivo error 200, inbound STOP) exceed this share of the window.
  @Type(() => Number)
  @Min(0)
  @Max(1)
  BRAKE_OPT_OUT_RATE = 0.02;

  // Live progress: at most this many updates per second per campaign.
  @Type(() => Number)
  @IsPositive()
  PROGRESS_UPDATES_PER_SECOND = 4;

  // Opt-out and consent (docs/consent.md). At most one confirmation/HELP reply per number per window.
  @Type(() => Number)
  @IsPositive()
  CONSENT_REPLY_WINDOW_SECONDS = 86_400;

  // An inbound reply is attributed to the accounts that sent to its number from its sender this recently.
  @Type(() => Number)
  @IsInt()
  @Min(1)
  CONSENT_ATTRIBUTION_DAYS = 30;

  // Replies sent for accounts that set none (unset: no reply of that kind).
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  CONSENT_OPT_OUT_REPLY?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  CONSENT_OPT_IN_REPLY?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  CONSENT_HELP_REPLY?: string;

  // Inbound messages are processed at once when they arrive, and at least this often.
  @Type(() => Number)
  @IsInt()
  @Min(5)
  CONSENT_PROCESS_INTERVAL_MS = 500;

  // After 5 s of passes that found nothing, the processor polls this often instead: the webhook wakes it
  // when an inbound message arrives, so an idle poll only finds messages another instance stored and did
  // not process. A value below CONSENT_PROCESS_INTERVAL_MS is taken as that interval.
  @Type(() => Number)
  @IsInt()
  @Min(5)
  CONSENT_PROCESS_IDLE_INTERVAL_MS = 2000;

  // Key of the HMAC that replaces an erased number (eraseRecipient); unset: erasure is refused.
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'ERASURE_HASH_KEY must be at least 32 characters long' })
  ERASURE_HASH_KEY?: string;
  // Customer webhooks (docs/results.md). Private, loopback and link-local targets are refused in
  // production unless this is true; elsewhere they are allowed (local receivers in development).
  @Transform(toBoolean)
  @IsOptional()
  @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE?: boolean;

  // One delivery attempt waits at most this long for the customer's answer.
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60_000)
  WEBHOOK_DELIVERY_TIMEOUT_MS = 10_000;

  // Requests in flight at once, over all endpoints, and per endpoint.
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(256)
  WEBHOOK_DELIVERY_CONCURRENCY = 16;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  WEBHOOK_DELIVERY_CONCURRENCY_PER_ENDPOINT = 4;

  // Retries: exponential from the base with full jitter, each wait capped, given up after the window.
  @Type(() => Number)
  @IsInt()
  @Min(10)
  WEBHOOK_RETRY_BASE_MS = 5000;

  @Type(() => Number)
  @IsInt()
  @Min(10)
  WEBHOOK_RETRY_MAX_DELAY_MS = 3_600_000;

  // A delivery still failing this long after its event is given up and its endpoint disabled.
  @Type(() => Number)
  @IsPositive()
  WEBHOOK_RETRY_FOR_SECONDS = 86_400;

  // How often the delivery worker looks for due deliveries when it is idle.
  @Type(() => Number)
  @IsInt()
  @Min(10)
  WEBHOOK_DELIVERY_POLL_MS = 500;

  // How often the delivery worker looks once 5 s of polls found nothing due (never below
  // WEBHOOK_DELIVERY_POLL_MS); a change of a campaign on any instance brings back WEBHOOK_DELIVERY_POLL_MS.
  @Type(() => Number)
  @IsInt()
  @Min(10)
  WEBHOOK_DELIVERY_IDLE_POLL_MS = 2000;

  // Retention: numbers and texts of campaigns finished longer ago than this are removed (unset: kept).
  @Transform(emptyToUndefined)
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  MESSAGE_RETENTION_DAYS?: number;

  // The HMAC key of the hashes that replace removed numbers; required with MESSAGE_RETENTION_DAYS.
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'MESSAGE_HASH_KEY must be at least 16 characters long' })
  MESSAGE_HASH_KEY?: string;

  // Message is partitioned by ranges of this many ids, created ahead as the ids grow (docs/scaling.md).
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  MESSAGE_PARTITION_SIZE = 10_000_000;

  // A Message partition whose campaigns all finished longer ago than this is detached and dropped
  // (its rows are gone; counters and costs on the campaigns stay). Unset: partitions are kept.
  @Transform(emptyToUndefined)
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  MESSAGE_PARTITION_RETENTION_DAYS?: number;

  // With MESSAGE_PARTITION_RETENTION_DAYS: detach old partitions but keep them as tables of their own
  // (to archive, e.g. with pg_dump, and drop by hand) instead of dropping them.
  @Transform(toBoolean)
  @IsOptional()
  @IsBoolean()
  MESSAGE_PARTITION_KEEP_DETACHED?: boolean;

  // The in-process sandbox's port (sandbox mode only); 0 picks a free one.
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  SANDBOX_PORT = 0;
}

export type Environment = EnvironmentVariables;

/** Validates raw variables; returns the typed environment or every problem found. */
export function validateEnvironment(raw: Record<string, string | undefined>): {
  env?: EnvironmentVariables;
  errors: string[];
} {
  const env = plainToInstance(EnvironmentVariables, raw, { exposeDefaultValues: true });
  const errors = validateSync(env, { forbidUnknownValues: true }).flatMap((error) => describe(error, raw));

  const plivoSet = PLIVO_VARIABLES.filter((name) => env[name] !== undefined);
  if (plivoSet.length > 0 && plivoSet.length < PLIVO_VARIABLES.length) {
    const missing = PLIVO_VARIABLES.filter((name) => env[name] === undefined);
    errors.push(
      `${PLIVO_VARIABLES.join(', ')} must be all set (real Plivo account) or all unset (sandbox mode); ` +
        `set: ${plivoSet.join(', ')}; missing: ${missing.join(', ')}`,
    );
  }
  if (env.MESSAGE_RETENTION_DAYS !== undefined && env.MESSAGE_HASH_KEY === undefined) {
    errors.push('MESSAGE_HASH_KEY is required with MESSAGE_RETENTION_DAYS (removed numbers are kept as keyed hashes)');
  }
  errors.push(...sendWindowConfigProblems(env.SEND_WINDOW_DEFAULT, env.SEND_WINDOW_COUNTRY_DEFAULTS));
  if (env.NODE_ENV === 'production' && env.API_KEY === undefined) {
    errors.push('API_KEY is required when NODE_ENV=production (the service will not generate a key in production)');
  }
  if (env.API_KEY !== undefined && env.API_KEY === env.ADMIN_API_KEY) {
    errors.push('ADMIN_API_KEY must differ from API_KEY');
  }
  const realPlivo = plivoSet.length === PLIVO_VARIABLES.length;
  if (env.NODE_ENV === 'production' && realPlivo) {
    if (env.DATABASE_URL === undefined && env.ALLOW_EMBEDDED_DB !== true) {
      errors.push(
        'DATABASE_URL is required when NODE_ENV=production with a real Plivo account (the embedded PGlite database ' +
          'is one process on one disk, without backups); set ALLOW_EMBEDDED_DB=true to run on it anyway',
      );
    }
    if (env.API_BASE_URL === undefined) {
      errors.push(
        'API_BASE_URL is required when NODE_ENV=production with a real Plivo account: the public https URL of this ' +
          'service, which Plivo calls back with delivery reports',
      );
    }
  }
  return errors.length > 0 ? { errors } : { env, errors };
}

/** Reads the process environment once; throws an error listing every problem. */
export function loadEnvironment(raw: Record<string, string | undefined> = process.env): EnvironmentVariables {
  const { env, errors } = validateEnvironment(raw);
  if (!env) {
    throw new InvalidEnvironmentError(errors);
  }
  return env;
}

export class InvalidEnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidEnvironmentError';
  }
}

// Checks of a value's kind: when one fails, the range checks that failed with it (a NaN is neither
// >= 0 nor <= 65535) say nothing true, so only it is reported, with what was given (never a secret:
// numbers and flags only).
const KIND_CHECKS = ['isInt', 'isNumber', 'isPositive', 'isBoolean'];

function describe(error: ValidationError, raw: Record<string, string | undefined>): string[] {
  const failed = Object.entries(error.constraints ?? {});
  const kind = failed.filter(([check]) => KIND_CHECKS.includes(check));
  const given = raw[error.property];
  const own = (kind.length > 0 ? kind : failed).map(([check, message]) => {
    const named = message.startsWith(error.property) ? message : `${error.property}: ${message}`;
    return KIND_CHECKS.includes(check) && given !== undefined ? `${named} (got "${given}")` : named;
  });
  return [...own, ...(error.children ?? []).flatMap((child) => describe(child, raw))];
}
