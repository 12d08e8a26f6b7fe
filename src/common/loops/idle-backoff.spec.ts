import { IdleBackoff } from './idle-backoff';

describe(IdleBackoff.name, () => {
  // Three empty passes at 50 ms make 150 ms of nothing.
  const options = { busyIntervalMs: 50, idleIntervalMs: 1_000, idleAfterMs: 150 };

  it('should keep the busy interval until that many passes in a row found nothing', () => {
    const backoff = new IdleBackoff(options);
    expect(backoff.intervalMs()).toBe(50);
    backoff.passFound(0);
    backoff.passFound(0);
    expect(backoff.intervalMs()).toBe(50);
    backoff.passFound(0);
    expect(backoff.intervalMs()).toBe(1_000);
  });

  it('should return to the busy interval as soon as a pass finds work, and count empty passes again', () => {
    const backoff = new IdleBackoff(options);
    [0, 0, 0, 0].forEach((found) => backoff.passFound(found));
    expect(backoff.intervalMs()).toBe(1_000);
    backoff.passFound(2);
    expect(backoff.intervalMs()).toBe(50);
    backoff.passFound(0);
    backoff.passFound(0);
    expect(backoff.intervalMs()).toBe(50);
  });

  it('should count idleness in busy intervals, so that a slower busy interval slows down after as long', () => {
    const backoff = new IdleBackoff({ busyIntervalMs: 500, idleIntervalMs: 2_000, idleAfterMs: 1_000 });
    backoff.passFound(0);
    expect(backoff.intervalMs()).toBe(500);
    backoff.passFound(0);
    expect(backoff.intervalMs()).toBe(2_000);
  });

  it('should never sleep less than the busy interval when idle', () => {
    const backoff = new IdleBackoff({ busyIntervalMs: 2_000, idleIntervalMs: 500, idleAfterMs: 1 });
    backoff.passFound(0);
    expect(backoff.intervalMs()).toBe(2_000);
  });

  it('should say when it has slowed down, and take the busy interval again when told work may be coming', () => {
    const backoff = new IdleBackoff(options);
    [0, 0].forEach((found) => backoff.passFound(found));
    expect(backoff.idle).toBe(false);
    backoff.passFound(0);
    expect(backoff.idle).toBe(true);
    backoff.reset();
    expect(backoff.idle).toBe(false);
    expect(backoff.intervalMs()).toBe(50);
  });
});
