import { Injectable } from '@nestjs/common';
import path from 'node:path';
import { Environment } from './env.schema';

export const PLIVO_DEFAULT_API_URL = 'https://api.plivo.com/v1/Account/';
export const DELIVERY_REPORT_PATH = '/api/webhooks/plivo/delivery-report';

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

  get apiBaseUrl(): string {
    return (this.env.API_BASE_URL ?? `http://localhost:${this.env.PORT}`).replace(/\/+$/, '');
  }

  get deliveryReportUrl(): string {
    return `${this.apiBaseUrl}${DELIVERY_REPORT_PATH}`;
  }

  get logLevel(): Environment['LOG_LEVEL'] {
    return this.env.LOG_LEVEL;
  }

  get bodyLimit(): string {
    return this.env.BODY_LIMIT;
  }

  get graphql() {
    return {
      rateLimit: this.env.GRAPHQL_RATE_LIMIT,
      rateWindowMs: this.env.GRAPHQL_RATE_WINDOW_SECONDS * 1000,
      maxDepth: this.env.GRAPHQL_MAX_DEPTH,
      maxComplexity: this.env.GRAPHQL_MAX_COMPLEXITY,
      introspection: this.env.GRAPHQL_INTROSPECTION ?? !this.isProduction,
    };
  }

  get redisUrl(): string | undefined {
    return this.env.REDIS_URL;
  }

  get sandboxPort(): number {
    return this.env.SANDBOX_PORT;
  }
}
