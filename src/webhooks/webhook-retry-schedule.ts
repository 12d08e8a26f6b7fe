export interface RetrySchedule {
  baseMs: number;
  maxDelayMs: number;
  /** Given up when the next attempt would come later than this after the event. */
  retryForMs: number;
}

/**
 * When to try again after `attempts` failed attempts: exponential from `baseMs`, capped at
 * `maxDelayMs`, with full jitter (a uniform draw below the cap) so that endpoints coming back after
 * an outage are not hit by every delivery at the same instant. Null: give up.
 */
export function nextAttemptAt(
  schedule: RetrySchedule,
  attempts: number,
  eventCreatedAt: Date,
  now: Date,
  random: () => number = Math.random,
): Date | null {
  const ceiling = Math.min(schedule.maxDelayMs, schedule.baseMs * 2 ** Math.min(attempts - 1, 30));
  // Never below half the ceiling: pure full jitter can retry at once, which a hanging endpoint would feel.
  const delay = ceiling / 2 + random() * (ceiling / 2);
  const at = now.getTime() + delay;
  return at - eventCreatedAt.getTime() > schedule.retryForMs ? null : new Date(at);
}
