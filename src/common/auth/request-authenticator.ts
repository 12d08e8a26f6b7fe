import { Injectable } from '@nestjs/common';
import { AuthAttemptLimiter } from '../throttling/auth-attempt-limiter';
import { ApiKeyService } from './api-key.service';
import { ConsoleSessionService } from './console-session.service';
import { API_KEY_HEADER, AuthenticatedAccount } from './authenticated-account';

export type AuthOutcome =
  | { kind: 'authenticated'; account: AuthenticatedAccount }
  | { kind: 'refused'; message: string }
  | { kind: 'throttled'; retryAfterSeconds: number };

/**
 * The one decision on who a caller is, before anything of its request is read or parsed: on
 * HTTP (GraphqlRequestGate) and on graphql-ws (GraphqlWsConnections). A known key answers from
 * the cache; a client address with too many requests without a valid key is refused before the
 * database is asked.
 */
@Injectable()
export class RequestAuthenticator {
  constructor(
    private readonly apiKeys: ApiKeyService,
    private readonly attempts: AuthAttemptLimiter,
    private readonly sessions: ConsoleSessionService,
  ) {}

  async authenticate(key: string | undefined, clientAddress: string): Promise<AuthOutcome> {
    const known = this.apiKeys.cached(key);
    if (known) {
      return { kind: 'authenticated', account: known };
    }
    const retryAfterMs = this.attempts.retryAfterMs(clientAddress);
    if (retryAfterMs > 0) {
      return { kind: 'throttled', retryAfterSeconds: Math.ceil(retryAfterMs / 1000) };
    }
    const account = key ? await this.apiKeys.authenticate(key) : null;
    if (account) {
      return { kind: 'authenticated', account };
    }
    this.attempts.recordFailure(clientAddress);
    return {
      kind: 'refused',
      message: key ? 'Invalid API key' : `Missing API key: send it in the ${API_KEY_HEADER} header`,
    };
  }

  /** The same decision for a web console session cookie (the same per-address limit on bad tokens). */
  async authenticateSession(token: string, clientAddress: string): Promise<AuthOutcome> {
    const known = this.sessions.cached(token);
    if (known) {
      return { kind: 'authenticated', account: known };
    }
    const retryAfterMs = this.attempts.retryAfterMs(clientAddress);
    if (retryAfterMs > 0) {
      return { kind: 'throttled', retryAfterSeconds: Math.ceil(retryAfterMs / 1000) };
    }
    const account = await this.sessions.authenticate(token);
    if (account) {
      return { kind: 'authenticated', account };
    }
    this.attempts.recordFailure(clientAddress);
    return { kind: 'refused', message: 'The console session has ended (signed out or expired): sign in again' };
  }
}
