import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.service';
import { Clock } from '../time/clock';

/** Addresses tracked at once; past it, the oldest windows are dropped first. */
const MAX_TRACKED_ADDRESSES = 100_000;

/**
 * Counts requests without a valid API key per client address in fixed windows. Once an address
 * is over AUTH_RATE_LIMIT it is refused until its window ends, before any database lookup, so
 * random keys cannot each cost a query. Requests with a key this instance already knows never
 * count. Per instance, in memory (like the account rate limit).
 */
@Injectable()
export class AuthAttemptLimiter {
  private readonly windows = new Map<string, { failures: number; endsAt: number }>();

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** Milliseconds until the address may try again, or 0 when it may try now. */
  retryAfterMs(address: string): number {
    const window = this.current(address);
    return window && window.failures >= this.config.authRateLimit.limit ? window.endsAt - this.now() : 0;
  }

  recordFailure(address: string): void {
    const window = this.current(address);
    if (window) {
      window.failures++;
      return;
    }
    if (this.windows.size >= MAX_TRACKED_ADDRESSES) {
      this.dropExpired();
    }
    if (this.windows.size >= MAX_TRACKED_ADDRESSES) {
      // Map iteration follows insertion order: the first entry is the oldest window.
      this.windows.delete(this.windows.keys().next().value as string);
    }
    this.windows.set(address, { failures: 1, endsAt: this.now() + this.config.authRateLimit.windowMs });
  }

  private current(address: string): { failures: number; endsAt: number } | undefined {
    const window = this.windows.get(address);
    if (window && window.endsAt <= this.now()) {
      this.windows.delete(address);
      return undefined;
    }
    return window;
  }

  private dropExpired(): void {
    const now = this.now();
    for (const [address, window] of this.windows) {
      if (window.endsAt <= now) {
        this.windows.delete(address);
      }
    }
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}
