import { AppConfig } from '../../config/app-config.service';
import { Clock } from '../time/clock';
import { AuthAttemptLimiter } from './auth-attempt-limiter';

describe(AuthAttemptLimiter.name, () => {
  function setup() {
    let now = 1_000_000;
    const clock: Clock = { now: () => new Date(now) };
    const config = { authRateLimit: { limit: 3, windowMs: 60_000 } } as AppConfig;
    return { sut: new AuthAttemptLimiter(config, clock), advance: (ms: number) => (now += ms) };
  }

  it('should let an address fail up to the limit, then refuse it until its window ends', () => {
    const { sut, advance } = setup();
    for (let i = 0; i < 3; i++) {
      expect(sut.retryAfterMs('10.0.0.1')).toBe(0);
      sut.recordFailure('10.0.0.1');
    }
    expect(sut.retryAfterMs('10.0.0.1')).toBe(60_000);
    advance(59_000);
    expect(sut.retryAfterMs('10.0.0.1')).toBe(1_000);
    advance(1_000);
    expect(sut.retryAfterMs('10.0.0.1')).toBe(0);
  });

  it('should count each address on its own', () => {
    const { sut } = setup();
    for (let i = 0; i < 3; i++) {
      sut.recordFailure('10.0.0.1');
    }
    expect(sut.retryAfterMs('10.0.0.1')).toBeGreaterThan(0);
    expect(sut.retryAfterMs('10.0.0.2')).toBe(0);
  });
});
