export interface RetryPolicyOptions {
  maxAttempts: number;
  maxAgeMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: string };

/**
 * Exponential backoff with "equal jitter" (half fixed, half random), so that batches failing
 * together do not come back together; a provider's Retry-After is a floor. Gives up after
 * `maxAttempts` attempts or when the batch is older than `maxAgeMs`.
 */
export function decideRetry(
  options: RetryPolicyOptions,
  attempt: { attempts: number; ageMs: number; retryAfterMs?: number },
  random: () => number = Math.random,
): RetryDecision {
  if (attempt.attempts >= options.maxAttempts) {
    return { retry: false, reason: `gave up after ${attempt.attempts} attempts` };
  }
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt.attempts - 1));
  const delayMs = Math.max(Math.round(exponential / 2 + random() * (exponential / 2)), attempt.retryAfterMs ?? 0);
  if (attempt.ageMs + delayMs > options.maxAgeMs) {
    return { retry: false, reason: `gave up: the batch would be older than ${Math.round(options.maxAgeMs / 1000)} s` };
  }
  return { retry: true, delayMs };
}
