import { Injectable } from '@nestjs/common';
import path from 'node:path';
import { BrakeThresholds } from '../brake/brake-rule';
import { parseSendWindowDefaults, SendWindowDefaults } from '../quiet-hours/send-window-defaults';
import { Environment } from './env.schema';

export const PLIVO_DEFAULT_API_URL = 'https://api.plivo.com/v1/Account/';
export const DELIVERY_REPORT_PATH = '/api/webhooks/plivo/delivery-report';
/** Plivo's Message URL (Application → Message URL): inbound SMS, e.g. STOP replies. */
export const INBOUND_MESSAGE_PATH = '/api/webhooks/plivo/inbound';

export interface PlivoAccountConfig {
  authId: string;
  authToken: string;
  senderId: string;
  /** Base URL ending in `/Account/`; the auth id is appended by the gateway. */
  apiUrl: string;
  timeoutMs: number;
}

/** Typed, validated configuration. The only way the rest of the code sees the environment. */
@Injectable()
export class AppConfig {
  constructor(private readonly env: Environment) {}

  get nodeEnv(): Environment['NODE_ENV'] {
    return this.env.NODE_ENV;
  }

  get isProduction(): boolean {
    return this.env.NODE_ENV === 'production';
  }

  get port(): number {
    return this.env.PORT;
  }

  get bootstrapApiKey(): string | undefined {
    return this.env.API_KEY;
  }

  get adminApiKey(): string | undefined {
    return this.env.ADMIN_API_KEY;
  }

  /** The 32-byte key for secrets in account settings, or undefined when not configured. */
  get settingsEncryptionKey(): Buffer | undefined {
    const value = this.env.SETTINGS_ENCRYPTION_KEY;
    if (!value) {
      return undefined;
    }
    return /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  }

  /** GraphiQL at GET /graphql: GRAPHQL_EXPLORER, or on outside production. */
  get graphqlExplorer(): boolean {
    return this.env.GRAPHQL_EXPLORER ?? !this.isProduction;
  }

  get databaseUrl(): string | undefined {
    return this.env.DATABASE_URL;
  }

  get dataDir(): string {
    return path.resolve(this.env.DATA_DIR);
  }

  get dbPoolMax(): number {
    return this.env.DB_POOL_MAX;
  }

  /** The real Plivo account, or undefined in sandbox mode. */
  get plivo(): PlivoAccountConfig | undefined {
    const { PLIVO_AUTH_ID, PLIVO_AUTH_TOKEN, PLIVO_SENDER_ID } = this.env;
    if (!PLIVO_AUTH_ID || !PLIVO_AUTH_TOKEN || !PLIVO_SENDER_ID) {
      return undefined;
    }
    return {
      authId: PLIVO_AUTH_ID,
      authToken: PLIVO_AUTH_TOKEN,
      senderId: PLIVO_SENDER_ID,
      apiUrl: this.plivoApiUrl,
      timeoutMs: this.env.PLIVO_TIMEOUT_MS,
    };
  }

  get isSandbox(): boolean {
    return this.plivo === undefined;
  }

  get plivoApiUrl(): string {
    const url = this.env.PLIVO_API_URL ?? PLIVO_DEFAULT_API_URL;
    return url.endsWith('/') ? url : `${url}/`;
  }

  get plivoTimeoutMs(): number {
    return this.env.PLIVO_TIMEOUT_MS;
  }

  /** The secret delivery reports are signed with; in sandbox mode undefined means "generate one". */
  get webhookSecret(): string | undefined {
    return this.env.PLIVO_WEBHOOK_SECRET ?? this.env.PLIVO_AUTH_TOKEN;
  }

  /** Which secret signs delivery reports, named for the start-up banner (never its value). */
  get webhookSecretSource(): string {
    return this.env.PLIVO_WEBHOOK_SECRET ? 'PLIVO_WEBHOOK_SECRET' : 'the auth token (PLIVO_AUTH_TOKEN)';
  }

  get apiBaseUrl(): string {
    return (this.env.API_BASE_URL ?? `http://localhost:${this.env.PORT}`).replace(/\/+$/, '');
  }

  get deliveryReportUrl(): string {
    return `${this.apiBaseUrl}${DELIVERY_REPORT_PATH}`;
  }

  get inboundMessageUrl(): string {
    return `${this.apiBaseUrl}${INBOUND_MESSAGE_PATH}`;
  }

  get consent() {
    return {
      replyWindowMs: this.env.CONSENT_REPLY_WINDOW_SECONDS * 1000,
      attributionDays: this.env.CONSENT_ATTRIBUTION_DAYS,
      optOutReply: this.env.CONSENT_OPT_OUT_REPLY ?? null,
      optInReply: this.env.CONSENT_OPT_IN_REPLY ?? null,
      helpReply: this.env.CONSENT_HELP_REPLY ?? null,
      processIntervalMs: this.env.CONSENT_PROCESS_INTERVAL_MS,
      processIdleIntervalMs: Math.max(this.env.CONSENT_PROCESS_INTERVAL_MS, this.env.CONSENT_PROCESS_IDLE_INTERVAL_MS),
      erasureHashKey: this.env.ERASURE_HASH_KEY,
    };
  }

  get logLevel(): Environment['LOG_LEVEL'] {
    return this.env.LOG_LEVEL;
  }

  /** Largest body of any request, and of a graphql-ws message. */
  get bodyLimit(): string {
    return this.env.BODY_LIMIT;
  }

  /** Largest body of an authenticated sendBulk or quote. */
  get bulkBodyLimit(): string {
    return this.env.BULK_BODY_LIMIT;
  }

  /** How many requests over BODY_LIMIT are read and processed at once. */
  get bulkBodyConcurrency(): number {
    return this.env.BULK_BODY_CONCURRENCY;
  }

  /** A large body that stops arriving for this long loses its slot (408). */
  get bulkBodyIdleTimeoutMs(): number {
    return this.env.BULK_BODY_IDLE_TIMEOUT_MS;
  }

  /** Body-parsing and validation threads kept started and warm from boot (WORKER_THREADS_READY). */
  get workerThreadsReady(): boolean {
    return this.env.WORKER_THREADS_READY ?? (this.env.DATABASE_URL !== undefined && this.env.NODE_ENV !== 'test');
  }

  get graphql() {
    return {
      rateLimit: this.env.GRAPHQL_RATE_LIMIT,
      rateWindowMs: this.env.GRAPHQL_RATE_WINDOW_SECONDS * 1000,
      maxDepth: this.env.GRAPHQL_MAX_DEPTH,
      maxComplexity: this.env.GRAPHQL_MAX_COMPLEXITY,
      maxTokens: this.env.GRAPHQL_MAX_TOKENS,
      maxFields: this.env.GRAPHQL_MAX_FIELDS,
      introspection: this.env.GRAPHQL_INTROSPECTION ?? !this.isProduction,
    };
  }

  /** Requests without a valid key, per client address. */
  get authRateLimit() {
    return { limit: this.env.AUTH_RATE_LIMIT, windowMs: this.env.AUTH_RATE_WINDOW_SECONDS * 1000 };
  }

  get consoleSessionTtlMs(): number {
    return Math.round(this.env.CONSOLE_SESSION_HOURS * 3600_000);
  }

  get websocket() {
    return {
      maxConnectionsPerKey: this.env.WS_MAX_CONNECTIONS_PER_KEY,
      maxSubscriptionsPerConnection: this.env.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION,
      authRecheckMs: this.env.WS_AUTH_RECHECK_SECONDS * 1000,
    };
  }

  get metricsToken(): string | undefined {
    return this.env.METRICS_TOKEN;
  }

  get redisUrl(): string | undefined {
    return this.env.REDIS_URL;
  }

  get redisChannelPrefix(): string {
    return this.env.REDIS_CHANNEL_PREFIX;
  }

  /** How far ahead of now sendBulk accepts a scheduledAt. */
  get recipientLists(): { ttlHours: number; maxBytes: string } {
    return { ttlHours: this.env.RECIPIENT_LIST_TTL_HOURS, maxBytes: this.env.RECIPIENT_LIST_MAX_BYTES };
  }

  get maxScheduleAheadDays(): number {
    return this.env.MAX_SCHEDULE_AHEAD_DAYS;
  }

  /** Senders a campaign may name; the first is the default. */
  get extraSenderIds(): string[] {
    return (this.env.SENDER_IDS ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean);
  }

  get dispatch() {
    const senderMps = new Map<string, number>();
    for (const pair of (this.env.PLIVO_SENDER_MPS ?? '').split(',').filter((p) => p.includes('='))) {
      const [sender, mps] = pair.split('=');
      senderMps.set(sender.trim(), Number(mps));
    }
    return {
      accountMps: this.env.PLIVO_MPS,
      senderMps,
      messageExpirySeconds: this.env.PLIVO_MESSAGE_EXPIRY_SECONDS,
      apiRequestsPer5s: this.env.PLIVO_API_REQUESTS_PER_5S,
      apiConcurrency: this.env.PLIVO_API_CONCURRENCY,
      listRequestsPerMinute: this.env.PLIVO_LIST_REQUESTS_PER_MINUTE,
      maxBatchSize: this.env.DISPATCH_BATCH_SIZE,
      leadMs: this.env.DISPATCH_LEAD_SECONDS * 1000,
      concurrency: this.env.DISPATCH_CONCURRENCY,
      pollMs: this.env.DISPATCH_POLL_MS,
      idlePollMs: Math.max(this.env.DISPATCH_POLL_MS, this.env.DISPATCH_IDLE_POLL_MS),
      maxAttempts: this.env.DISPATCH_MAX_ATTEMPTS,
      maxAgeMs: this.env.DISPATCH_MAX_AGE_SECONDS * 1000,
      retryBaseMs: this.env.DISPATCH_RETRY_BASE_SECONDS * 1000,
      retryMaxMs: this.env.DISPATCH_RETRY_MAX_SECONDS * 1000,
      reconcileDelayMs: this.env.DISPATCH_RECONCILE_DELAY_SECONDS * 1000,
      reconcileAttempts: this.env.DISPATCH_RECONCILE_ATTEMPTS,
      // A submission holds its lease for the request timeout plus a margin.
      leaseMs: this.env.PLIVO_TIMEOUT_MS + this.env.DISPATCH_LEASE_MARGIN_SECONDS * 1000,
    };
  }

  /** Read on every webhook request: made once (the environment does not change after start). */
  get deliveryReports() {
    this.deliveryReportSettings ??= this.readDeliveryReportSettings();
    return this.deliveryReportSettings;
  }

  private deliveryReportSettings?: ReturnType<AppConfig['readDeliveryReportSettings']>;

  private readDeliveryReportSettings() {
    return {
      receiptWindowMs: this.env.RECEIPT_WINDOW_SECONDS * 1000,
      noReceiptCountries: new Set(
        this.env.NO_RECEIPT_COUNTRIES.split(',')
          .map((c) => c.trim().toUpperCase())
          .filter(Boolean),
      ),
      noReceiptWindowMs: this.env.NO_RECEIPT_WINDOW_SECONDS * 1000,
      overdueAfterMs: this.env.OVERDUE_AFTER_SECONDS * 1000,
      overduePollIntervalMs: this.env.OVERDUE_POLL_INTERVAL_SECONDS * 1000,
      webhookBodyLimit: this.env.WEBHOOK_BODY_LIMIT,
      replayWindowMs: this.env.WEBHOOK_REPLAY_WINDOW_SECONDS * 1000,
      answerTimeoutMs: this.env.WEBHOOK_ANSWER_TIMEOUT_MS,
      maxPendingReports: this.env.WEBHOOK_MAX_PENDING,
      applyBatchSize: this.env.REPORT_APPLY_BATCH_SIZE,
      applyIntervalMs: this.env.REPORT_APPLY_INTERVAL_MS,
      applyIdleIntervalMs: Math.max(this.env.REPORT_APPLY_INTERVAL_MS, this.env.REPORT_APPLY_IDLE_INTERVAL_MS),
    };
  }

  get stallAfterMs(): number {
    return this.env.STALL_AFTER_SECONDS * 1000;
  }

  get progressUpdatesPerSecond(): number {
    return this.env.PROGRESS_UPDATES_PER_SECOND;
  }

  /** SANDBOX_* variables for the in-process sandbox (its own parser validates them). */
  get sandboxVariables(): Record<string, string> {
    return Object.fromEntries(
      Object.entries(this.env).filter(
        (entry): entry is [string, string] => entry[0].startsWith('SANDBOX_') && typeof entry[1] === 'string',
      ),
    );
  }

  /** Delivery of signed events to the customers' endpoints (src/webhooks). */
  get customerWebhooks() {
    return {
      allowPrivate: this.env.WEBHOOK_ALLOW_PRIVATE ?? !this.isProduction,
      timeoutMs: this.env.WEBHOOK_DELIVERY_TIMEOUT_MS,
      concurrency: this.env.WEBHOOK_DELIVERY_CONCURRENCY,
      concurrencyPerEndpoint: this.env.WEBHOOK_DELIVERY_CONCURRENCY_PER_ENDPOINT,
      retryBaseMs: this.env.WEBHOOK_RETRY_BASE_MS,
      retryMaxDelayMs: this.env.WEBHOOK_RETRY_MAX_DELAY_MS,
      retryForMs: this.env.WEBHOOK_RETRY_FOR_SECONDS * 1000,
      pollMs: this.env.WEBHOOK_DELIVERY_POLL_MS,
      idlePollMs: Math.max(this.env.WEBHOOK_DELIVERY_POLL_MS, this.env.WEBHOOK_DELIVERY_IDLE_POLL_MS),
    };
  }

  /** Message retention; `days` undefined means off. */
  get retention(): { days: number | undefined; hashKey: string | undefined } {
    return { days: this.env.MESSAGE_RETENTION_DAYS, hashKey: this.env.MESSAGE_HASH_KEY };
  }

  /** Message partitions: ids per partition; old ones retired after `retentionDays` (undefined: never). */
  get messagePartitions(): { size: number; retentionDays: number | undefined; keepDetached: boolean } {
    return {
      size: this.env.MESSAGE_PARTITION_SIZE,
      retentionDays: this.env.MESSAGE_PARTITION_RETENTION_DAYS,
      keepDetached: this.env.MESSAGE_PARTITION_KEEP_DETACHED ?? false,
    };
  }

  get sandboxPort(): number {
    return this.env.SANDBOX_PORT;
  }

  get sendWindowDefaults(): SendWindowDefaults {
    return parseSendWindowDefaults(this.env.SEND_WINDOW_DEFAULT, this.env.SEND_WINDOW_COUNTRY_DEFAULTS);
  }

  get brake(): BrakeThresholds {
    return {
      enabled: this.env.BRAKE_ENABLED,
      scope: this.env.BRAKE_SCOPE,
      windowReports: this.env.BRAKE_WINDOW_REPORTS,
      minReports: Math.min(this.env.BRAKE_MIN_REPORTS, this.env.BRAKE_WINDOW_REPORTS),
      failureRate: this.env.BRAKE_FAILURE_RATE,
      optOutRate: this.env.BRAKE_OPT_OUT_RATE,
    };
  }
}
