/**
 * Plivo's API limits: N requests per sliding window per account (300 per 5 s) and M requests in
 * flight (100). A ring of the last N admission times makes the window check O(1).
 */
export class SandboxRateLimits {
  private ring: number[] = [];
  private head = 0;
  private inFlight = 0;

  constructor(
    private limit: number,
    private windowMs: number,
    private maxConcurrent: number,
  ) {}

  reconfigure(limit: number, windowMs: number, maxConcurrent: number): void {
    if (limit !== this.limit) {
      this.ring = [];
      this.head = 0;
    }
    this.limit = limit;
    this.windowMs = windowMs;
    this.maxConcurrent = maxConcurrent;
  }

  /** Admits a request or says which limit it hit; an admitted request must call `release()` once. */
  admit(now: number): 'ok' | 'concurrency' | 'rate' {
    if (this.inFlight >= this.maxConcurrent) {
      return 'concurrency';
    }
    if (this.ring.length >= this.limit) {
      const oldest = this.ring[this.head];
      if (now - oldest < this.windowMs) {
        return 'rate';
      }
      this.ring[this.head] = now;
      this.head = (this.head + 1) % this.limit;
    } else {
      this.ring.push(now);
    }
    this.inFlight++;
    return 'ok';
  }

  release(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  get concurrent(): number {
    return this.inFlight;
  }

  /** Milliseconds until the window admits again (for Retry-After). */
  retryAfterMs(now: number): number {
    if (this.ring.length < this.limit) {
      return 0;
    }
    return Math.max(0, this.windowMs - (now - this.ring[this.head]));
  }

  reset(): void {
    this.ring = [];
    this.head = 0;
  }
}
