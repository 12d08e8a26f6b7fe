import { Injectable } from '@nestjs/common';
import { ApiKeyRepository } from '../../persistence/api-key.repository';
import { Clock } from '../time/clock';
import { ApiKeyHasher } from './api-key-hasher';
import { AuthenticatedAccount } from './authenticated-account';
import { toScopes } from './scope.enum';

const CACHE_TTL_MS = 30_000;
const CACHE_MAX_ENTRIES = 10_000;

/**
 * Resolves an `x-api-key` to its account and scopes. Keys are looked up by their SHA-256 hash and
 * confirmed with a constant-time compare; known keys are cached briefly so that a busy client
 * does not cost a database round trip per request (a revoked key stops working within 30 s, at
 * once on this instance after `forgetKey`). Unknown keys are not cached, so random keys cannot
 * evict known ones; RequestAuthenticator limits how often they are looked up.
 */
@Injectable()
export class ApiKeyService {
  private readonly cache = new Map<string, { account: AuthenticatedAccount; expiresAt: number }>();

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly hasher: ApiKeyHasher,
    private readonly clock: Clock,
  ) {}

  async authenticate(key: string | undefined): Promise<AuthenticatedAccount | null> {
    if (!isPlausibleKey(key)) {
      return null;
    }
    const cached = this.cached(key);
    if (cached) {
      return cached;
    }
    const found = await this.keys.findActiveByHash(this.hasher.hash(key));
    const now = this.clock.now().getTime();
    if (!found || !this.hasher.matches(key, found.keyHash) || (found.expiresAt && found.expiresAt.getTime() <= now)) {
      return null;
    }
    const account = { accountId: found.accountId, apiKeyId: found.apiKeyId, scopes: toScopes(found.scopes) };
    if (this.cache.size >= CACHE_MAX_ENTRIES) {
      this.cache.clear();
    }
    // An expiring key is never cached past its expiry.
    const cachedUntil = Math.min(now + CACHE_TTL_MS, found.expiresAt?.getTime() ?? Infinity);
    this.cache.set(found.keyHash, { account, expiresAt: cachedUntil });
    return account;
  }

  /** The account of a key known from a recent lookup, without a database round trip. */
  cached(key: string | undefined): AuthenticatedAccount | undefined {
    if (!isPlausibleKey(key)) {
      return undefined;
    }
    const entry = this.cache.get(this.hasher.hash(key));
    return entry && entry.expiresAt > this.clock.now().getTime() ? entry.account : undefined;
  }

  /** Drops a revoked key from the cache, so this instance refuses it at once. */
  forgetKey(apiKeyId: string): void {
    for (const [keyHash, entry] of this.cache) {
      if (entry.account.apiKeyId === apiKeyId) {
        this.cache.delete(keyHash);
      }
    }
  }

  forget(): void {
    this.cache.clear();
  }
}

function isPlausibleKey(key: string | undefined): key is string {
  return typeof key === 'string' && key.length > 0 && key.length <= 256;
}
