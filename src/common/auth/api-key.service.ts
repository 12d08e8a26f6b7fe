import { Injectable } from '@nestjs/common';
import { ApiKeyRepository } from '../../persistence/api-key.repository';
import { Clock } from '../time/clock';
import { ApiKeyHasher } from './api-key-hasher';
import { AuthenticatedAccount } from './authenticated-account';

const CACHE_TTL_MS = 30_000;
const CACHE_MAX_ENTRIES = 10_000;

/**
 * Resolves an `x-api-key` to its account. Keys are looked up by their SHA-256 hash and
 * confirmed with a constant-time compare; results are cached briefly so that a busy client
 * does not cost a database round trip per request (a revoked key stops working within 30 s).
 */
@Injectable()
export class ApiKeyService {
  private readonly cache = new Map<string, { account: AuthenticatedAccount | null; expiresAt: number }>();

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly hasher: ApiKeyHasher,
    private readonly clock: Clock,
  ) {}

  async authenticate(key: string | undefined): Promise<AuthenticatedAccount | null> {
    if (!key || key.length > 256) {
      return null;
    }
    const keyHash = this.hasher.hash(key);
    const now = this.clock.now().getTime();
    const cached = this.cache.get(keyHash);
    if (cached && cached.expiresAt > now) {
      return cached.account;
    }
    const found = await this.keys.findActiveByHash(keyHash);
    const account =
      found && this.hasher.matches(key, found.keyHash)
        ? { accountId: found.accountId, apiKeyId: found.apiKeyId }
        : null;
    if (this.cache.size >= CACHE_MAX_ENTRIES) {
      this.cache.clear();
    }
    this.cache.set(keyHash, { account, expiresAt: now + CACHE_TTL_MS });
    return account;
  }

  forget(): void {
    this.cache.clear();
  }
}
