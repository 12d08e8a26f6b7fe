import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.service';
import { ConsoleSessionRepository } from '../../persistence/console-session.repository';
import { Clock } from '../time/clock';
import { ApiKeyHasher } from './api-key-hasher';
import { AuthenticatedAccount } from './authenticated-account';
import { toScopes } from './scope.enum';

const CACHE_TTL_MS = 30_000;
const CACHE_MAX_ENTRIES = 10_000;
/** Ended sessions are kept this long (for the record), then removed when someone signs in. */
const ENDED_SESSION_RETENTION_MS = 24 * 3600_000;

export interface OpenedSession {
  token: string;
  expiresAt: Date;
}

/**
 * Web console sessions: an API key, once checked, is exchanged for a random 256-bit token that
 * lives only in the browser's HttpOnly cookie; the database keeps its SHA-256 hash, the account,
 * the key and an expiry. A session counts only while its key is active. Known sessions are cached
 * for up to 30 s like API keys (a sign-out on this instance ends the session at once; on another
 * instance, or a key revoked elsewhere, within 30 s).
 */
@Injectable()
export class ConsoleSessionService {
  private readonly cache = new Map<string, { account: AuthenticatedAccount; cachedUntil: number; expiresAt: Date }>();
  private readonly endedListeners: Array<(tokenHash: string) => void> = [];

  constructor(
    private readonly sessions: ConsoleSessionRepository,
    private readonly hasher: ApiKeyHasher,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async open(account: AuthenticatedAccount): Promise<OpenedSession> {
    const now = this.clock.now();
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.config.consoleSessionTtlMs);
    await this.sessions.create({
      tokenHash: this.hasher.hash(token),
      accountId: account.accountId,
      apiKeyId: account.apiKeyId,
      expiresAt,
    });
    // Sign-ins are rare, so this is where ended sessions are swept (no timer to run and stop).
    await this.sessions.deleteEnded(new Date(now.getTime() - ENDED_SESSION_RETENTION_MS));
    return { token, expiresAt };
  }

  async authenticate(token: string | undefined): Promise<AuthenticatedAccount | null> {
    if (!token) {
      return null;
    }
    const cached = this.cached(token);
    if (cached) {
      return cached;
    }
    const now = this.clock.now();
    const found = await this.sessions.findActiveByHash(this.hasher.hash(token), now);
    if (!found) {
      return null;
    }
    const account: AuthenticatedAccount = {
      accountId: found.accountId,
      apiKeyId: found.apiKeyId,
      scopes: toScopes(found.scopes),
    };
    if (this.cache.size >= CACHE_MAX_ENTRIES) {
      this.cache.clear();
    }
    const cachedUntil = Math.min(now.getTime() + CACHE_TTL_MS, found.expiresAt.getTime());
    this.cache.set(this.hasher.hash(token), { account, cachedUntil, expiresAt: found.expiresAt });
    return account;
  }

  cached(token: string | undefined): AuthenticatedAccount | undefined {
    if (!token) {
      return undefined;
    }
    const entry = this.cache.get(this.hasher.hash(token));
    return entry && entry.cachedUntil > this.clock.now().getTime() ? entry.account : undefined;
  }

  /** When a session that was just authenticated on this instance ends. */
  expiryOf(token: string): Date | undefined {
    return this.cache.get(this.hasher.hash(token))?.expiresAt;
  }

  /** Drops a revoked key's sessions from the cache, so this instance refuses them at once. */
  forgetKey(apiKeyId: string): void {
    for (const [tokenHash, entry] of this.cache) {
      if (entry.account.apiKeyId === apiKeyId) {
        this.cache.delete(tokenHash);
      }
    }
  }

  forget(): void {
    this.cache.clear();
  }

  /** The hash a session is known by (the database and onEnded's listeners have only that). */
  hashOf(token: string): string {
    return this.hasher.hash(token);
  }

  /** Of these sessions (by hash), those still active: not signed out or expired, their key active. */
  activeHashes(tokenHashes: string[]): Promise<string[]> {
    return this.sessions.findActiveHashes(tokenHashes, this.clock.now());
  }

  /** Called with a session's hash when it is signed out on this instance (GraphqlWsConnections closes its sockets). */
  onEnded(listener: (tokenHash: string) => void): void {
    this.endedListeners.push(listener);
  }

  /** Sign-out: the session stops working at once on this instance, its open connections included. */
  async revoke(token: string): Promise<void> {
    const tokenHash = this.hasher.hash(token);
    this.cache.delete(tokenHash);
    await this.sessions.revokeByHash(tokenHash, this.clock.now());
    this.endedListeners.forEach((listener) => listener(tokenHash));
  }
}
