import { decideRetry } from './retry-policy';

const options = { maxAttempts: 5, maxAgeMs: 3_600_000, baseDelayMs: 2_000, maxDelayMs: 60_000 };

describe('decideRetry', () => {
  it('should double the delay per attempt, between half and all of it', () => {
    expect(decideRetry(options, { attempts: 1, ageMs: 0 }, () => 0)).toEqual({ retry: true, delayMs: 1_000 });
    expect(decideRetry(options, { attempts: 1, ageMs: 0 }, () => 1)).toEqual({ retry: true, delayMs: 2_000 });
    expect(decideRetry(options, { attempts: 3, ageMs: 0 }, () => 1)).toEqual({ retry: true, delayMs: 8_000 });
  });

  it('should cap the delay', () => {
    expect(decideRetry({ ...options, maxAttempts: 50 }, { attempts: 20, ageMs: 0 }, () => 1)).toEqual({
      retry: true,
      delayMs: 60_000,
    });
  });

  it('should honour a longer Retry-After', () => {
    expect(decideRetry(options, { attempts: 1, ageMs: 0, retryAfterMs: 30_000 }, () => 0)).toEqual({
      retry: true,
      delayMs: 30_000,
    });
  });

  it('should give up after maxAttempts attempts', () => {
    expect(decideRetry(options, { attempts: 5, ageMs: 0 })).toEqual({
      retry: false,
      reason: 'gave up after 5 attempts',
    });
  });

  it('should give up when the retry would exceed the maximum age', () => {
    const decision = decideRetry(options, { attempts: 2, ageMs: 3_599_000 }, () => 1);
    expect(decision).toEqual({ retry: false, reason: 'gave up: the batch would be older than 3600 s' });
  });
});
