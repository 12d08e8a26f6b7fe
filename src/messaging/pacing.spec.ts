import { drainEstimate, PacingLimits, PacingState, release, reserve } from './pacing';

const limits: PacingLimits = { mps: 5, maxQueueMs: 600_000, apiBurst: 300, apiRefillPerMs: 0.06 };
const fresh = (now: number): PacingState => ({ queueDrainsAtMs: now, apiTokens: 300, apiTokensAtMs: now });

describe('reserve', () => {
  it('should grant a batch into an empty queue and move the drain time by messages / mps', () => {
    const result = reserve(fresh(0), limits, 1000, 0);
    expect(result).toEqual({ granted: true, next: { queueDrainsAtMs: 200_000, apiTokens: 299, apiTokensAtMs: 0 } });
  });

  it('should refuse a batch whose last message would wait longer than maxQueueMs, and say when to retry', () => {
    const state = { ...fresh(0), queueDrainsAtMs: 500_000 };
    // 500 s queued + 200 s for 1,000 more = 700 s > 600 s: retry when 100 s have drained.
    expect(reserve(state, limits, 1000, 0)).toEqual({ granted: false, retryAtMs: 100_000 });
    expect(reserve(state, limits, 1000, 100_000).granted).toBe(true);
  });

  it('should always take one batch into an empty queue, even one longer than the window', () => {
    expect(reserve(fresh(0), { ...limits, maxQueueMs: 1_000 }, 1000, 0).granted).toBe(true);
  });

  it('should keep the queue within message expiry over a long run (54,000 at 5 MPS over 3 h)', () => {
    const expiryLimits = { ...limits, maxQueueMs: 10_800_000, apiBurst: 1e9 };
    let state = fresh(0);
    let now = 0;
    let sent = 0;
    while (sent < 200_000) {
      const result = reserve(state, expiryLimits, 1000, now);
      if (result.granted) {
        state = result.next;
        sent += 1000;
        expect(state.queueDrainsAtMs - now).toBeLessThanOrEqual(10_800_000);
      } else {
        now = result.retryAtMs;
      }
    }
    // The provider sends 5 per second: 200,000 take 40,000 s whatever we do.
    expect(state.queueDrainsAtMs).toBe(40_000_000);
  });

  it('should refuse when the API bucket is empty and retry when a token is back', () => {
    const state = { queueDrainsAtMs: 0, apiTokens: 0.4, apiTokensAtMs: 0 };
    expect(reserve(state, limits, 1, 0)).toEqual({ granted: false, retryAtMs: 10 });
    expect(reserve(state, limits, 1, 10).granted).toBe(true);
  });

  it('should refill the bucket up to its size only', () => {
    const result = reserve({ queueDrainsAtMs: 0, apiTokens: 0, apiTokensAtMs: 0 }, limits, 1, 1_000_000);
    expect(result.granted && result.next.apiTokens).toBe(299);
  });
});

describe('release', () => {
  it('should give back the queue time of a batch that did not go, never below now', () => {
    expect(release({ ...fresh(0), queueDrainsAtMs: 300_000 }, limits, 1000, 0).queueDrainsAtMs).toBe(100_000);
    expect(release({ ...fresh(0), queueDrainsAtMs: 100_000 }, limits, 1000, 50_000).queueDrainsAtMs).toBe(50_000);
  });
});

describe('drainEstimate', () => {
  it('should add the remaining messages at mps after the current queue', () => {
    expect(drainEstimate(10_000, 5, 100, 0)).toBe(30_000);
    expect(drainEstimate(0, 5, 100, 50_000)).toBe(70_000);
  });
});
