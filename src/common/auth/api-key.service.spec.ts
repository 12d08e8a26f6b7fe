import { mock } from 'jest-mock-extended';
import { ApiKeyRepository } from '../../persistence/api-key.repository';
import { ApiKeyHasher } from './api-key-hasher';
import { ApiKeyService } from './api-key.service';

describe(ApiKeyService.name, () => {
  const hasher = new ApiKeyHasher();
  const key = 'sk_test_key_0123456789';
  let now = 1_000_000;
  const clock = { now: () => new Date(now) };
  let expiresAt: Date | null = null;
  beforeEach(() => {
    expiresAt = null;
  });

  function setup() {
    const repository = mock<ApiKeyRepository>();
    repository.findActiveByHash.mockImplementation((hash) =>
      Promise.resolve(
        hash === hasher.hash(key)
          ? { apiKeyId: 'k1', accountId: 'a1', keyHash: hash, scopes: ['campaigns:read', 'retired:scope'], expiresAt }
          : null,
      ),
    );
    return { sut: new ApiKeyService(repository, hasher, clock), repository };
  }

  describe('authenticate', () => {
    it('should return the account of a stored key, looked up by its hash only', async () => {
      const { sut, repository } = setup();
      await expect(sut.authenticate(key)).resolves.toEqual({
        accountId: 'a1',
        apiKeyId: 'k1',
        scopes: ['campaigns:read'],
      });
      expect(repository.findActiveByHash).toHaveBeenCalledWith(hasher.hash(key));
    });

    it('should return null for a missing, unknown or absurdly long key', async () => {
      const { sut } = setup();
      await expect(sut.authenticate(undefined)).resolves.toBeNull();
      await expect(sut.authenticate('')).resolves.toBeNull();
      await expect(sut.authenticate('sk_other_key_987654321')).resolves.toBeNull();
      await expect(sut.authenticate('x'.repeat(1000))).resolves.toBeNull();
    });

    it('should not cache unknown keys, so random keys never evict known ones', async () => {
      const { sut, repository } = setup();
      await sut.authenticate('sk_unknown_key_0000001');
      await sut.authenticate('sk_unknown_key_0000001');
      expect(repository.findActiveByHash).toHaveBeenCalledTimes(2);
      expect(sut.cached('sk_unknown_key_0000001')).toBeUndefined();
    });

    it('should forget a revoked key at once', async () => {
      const { sut, repository } = setup();
      await sut.authenticate(key);
      expect(sut.cached(key)).toEqual({ accountId: 'a1', apiKeyId: 'k1', scopes: ['campaigns:read'] });
      sut.forgetKey('k1');
      expect(sut.cached(key)).toBeUndefined();
      await sut.authenticate(key);
      expect(repository.findActiveByHash).toHaveBeenCalledTimes(2);
    });

    it('should refuse an expired key and cache a key no longer than its expiry', async () => {
      expiresAt = new Date(now + 10_000);
      const { sut, repository } = setup();
      await expect(sut.authenticate(key)).resolves.not.toBeNull();
      now += 10_000;
      expect(sut.cached(key)).toBeUndefined();
      await expect(sut.authenticate(key)).resolves.toBeNull();
      expect(repository.findActiveByHash).toHaveBeenCalledTimes(2);
    });

    it('should cache a result for 30 seconds, then ask the database again', async () => {
      const { sut, repository } = setup();
      await sut.authenticate(key);
      await sut.authenticate(key);
      expect(repository.findActiveByHash).toHaveBeenCalledTimes(1);
      now += 30_001;
      await sut.authenticate(key);
      expect(repository.findActiveByHash).toHaveBeenCalledTimes(2);
    });
  });
});

describe(ApiKeyHasher.name, () => {
  const hasher = new ApiKeyHasher();

  it('should hash with SHA-256 and compare in constant time', () => {
    expect(hasher.hash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hasher.matches('abc', hasher.hash('abc'))).toBe(true);
    expect(hasher.matches('abd', hasher.hash('abc'))).toBe(false);
    expect(hasher.matches('abc', 'short')).toBe(false);
  });

  it('should generate distinct prefixed keys', () => {
    const a = hasher.generate();
    expect(a).toMatch(/^sk_[A-Za-z0-9_-]{32}$/);
    expect(hasher.generate()).not.toBe(a);
  });
});
