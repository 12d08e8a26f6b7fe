import { nextAttemptAt } from './webhook-retry-schedule';

describe('nextAttemptAt', () => {
  const schedule = { baseMs: 1000, maxDelayMs: 60_000, retryForMs: 86_400_000 };
  const created = new Date('2026-01-01T00:00:00Z');

  it('should double the ceiling with each attempt, jittered within its upper half', () => {
    const now = new Date(created.getTime() + 10);
    expect(nextAttemptAt(schedule, 1, created, now, () => 0)!.getTime() - now.getTime()).toBe(500);
    expect(nextAttemptAt(schedule, 1, created, now, () => 0.999)!.getTime() - now.getTime()).toBeCloseTo(999, 0);
    expect(nextAttemptAt(schedule, 4, created, now, () => 1)!.getTime() - now.getTime()).toBe(8000);
  });

  it('should cap each wait at maxDelayMs', () => {
    const now = new Date(created.getTime() + 10);
    expect(nextAttemptAt(schedule, 40, created, now, () => 1)!.getTime() - now.getTime()).toBe(60_000);
  });

  it('should give up once the next attempt falls outside the retry window', () => {
    const late = new Date(created.getTime() + 86_400_000 - 1000);
    expect(nextAttemptAt(schedule, 40, created, late, () => 0)).toBeNull();
    expect(nextAttemptAt(schedule, 1, created, late, () => 0)).not.toBeNull();
  });
});
