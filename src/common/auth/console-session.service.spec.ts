import { mock } from 'jest-mock-extended';
import { AppConfig } from '../../config/app-config.service';
import { ConsoleSessionRepository } from '../../persistence/console-session.repository';
import { ApiKeyHasher } from './api-key-hasher';
import { ConsoleSessionService } from './console-session.service';
import { Scope } from './scope.enum';

describe(ConsoleSessionService.name, () => {
  const hasher = new ApiKeyHasher();
  const account = { accountId: 'a1', apiKeyId: 'k1', scopes: [Scope.CAMPAIGNS_READ, Scope.CAMPAIGNS_WRITE] };
  const TTL_MS = 12 * 3600_000;

  function setup() {
    let now = 1_000_000_000;
    const clock = { now: () => new Date(now) };
    const repository = mock<ConsoleSessionRepository>();
    const stored = new Map<string, Date>();
    repository.create.mockImplementation((session) => {
      stored.set(session.tokenHash, session.expiresAt);
      return Promise.resolve();
    });
    repository.findActiveByHash.mockImplementation((tokenHash, at) => {
      const expiresAt = stored.get(tokenHash);
      return Promise.resolve(
        expiresAt && expiresAt > at
          ? { sessionId: 's1', accountId: 'a1', apiKeyId: 'k1', scopes: ['campaigns:read', 'campaigns:write'], expiresAt }
          : null,
      );
    });
    repository.revokeByHash.mockImplementation((tokenHash) => Promise.resolve(stored.delete(tokenHash)));
    const config = mock<AppConfig>({ consoleSessionTtlMs: TTL_MS });
    const sut = new ConsoleSessionService(repository, hasher, clock, config);
    return { sut, repository, stored, advance: (ms: number) => (now += ms) };
  }

  it('should store only the hash of a random token, with the configured expiry', async () => {
    const { sut, repository, stored } = setup();
    const { token, expiresAt } = await sut.open(account);
    expect(token).toMatch(/^[\w-]{43}$/);
    expect([...stored.keys()]).toEqual([hasher.hash(token)]);
    // The session row names the account and key; the scopes stay the key's (read when authenticating).
    expect(repository.create).toHaveBeenCalledWith({
      tokenHash: hasher.hash(token),
      accountId: 'a1',
      apiKeyId: 'k1',
      expiresAt,
    });
    expect(expiresAt.getTime()).toBe(1_000_000_000 + TTL_MS);
    expect(repository.deleteEnded).toHaveBeenCalledTimes(1);
    expect((await sut.open(account)).token).not.toBe(token);
  });

  it('should authenticate a session, caching it for 30 s', async () => {
    const { sut, repository, advance } = setup();
    const { token } = await sut.open(account);
    await expect(sut.authenticate(token)).resolves.toEqual(account);
    await expect(sut.authenticate(token)).resolves.toEqual(account);
    expect(repository.findActiveByHash).toHaveBeenCalledTimes(1);
    advance(30_001);
    await sut.authenticate(token);
    expect(repository.findActiveByHash).toHaveBeenCalledTimes(2);
  });

  it('should refuse unknown, expired and signed-out sessions', async () => {
    const { sut, advance } = setup();
    await expect(sut.authenticate(undefined)).resolves.toBeNull();
    await expect(sut.authenticate('not-a-session')).resolves.toBeNull();
    const { token } = await sut.open(account);
    advance(TTL_MS + 1);
    await expect(sut.authenticate(token)).resolves.toBeNull();

    const second = await sut.open(account);
    await expect(sut.authenticate(second.token)).resolves.toEqual(account);
    await sut.revoke(second.token);
    expect(sut.cached(second.token)).toBeUndefined();
    await expect(sut.authenticate(second.token)).resolves.toBeNull();
  });

  it('should forget the cached sessions of a revoked key', async () => {
    const { sut } = setup();
    const { token } = await sut.open(account);
    await sut.authenticate(token);
    expect(sut.cached(token)).toEqual(account);
    sut.forgetKey('k1');
    expect(sut.cached(token)).toBeUndefined();
  });
});
