import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.service';
import { PacingLedger } from './pacing-ledger';
import { PacingPlan } from './pacing-plan';

const LONGEST_SLEEP_MS = 5_000;

/**
 * Reads from the provider (message records for reconciliation and lost reports) spend the same
 * account-wide API budget as submissions, and listing its own (Plivo: 20 per minute), shared by
 * all instances in PostgreSQL, so checking never pushes the account into 429s.
 */
@Injectable()
export class ProviderApiBudget {
  constructor(
    private readonly ledger: PacingLedger,
    private readonly pacing: PacingPlan,
    private readonly config: AppConfig,
  ) {}

  /**
   * Waits until the read may go. `waiting.whileWaiting` runs before each pause (a reconciliation renews
   * its batch's lease there: a check that waited past its lease was taken up again by another instance);
   * `waiting.signal` ends the wait with its reason (the dispatcher stopping).
   */
  async beforeRead(
    kind: 'list' | 'get',
    waiting: { signal?: AbortSignal; whileWaiting?: () => Promise<void> } = {},
  ): Promise<void> {
    const { apiRequestsPer5s, listRequestsPerMinute } = this.config.dispatch;
    const api = this.pacing.apiBucket(apiRequestsPer5s, 5_000);
    const buckets = [{ key: this.pacing.accountKey, burst: api.apiBurst, refillPerMs: api.apiRefillPerMs }];
    if (kind === 'list') {
      const list = this.pacing.apiBucket(listRequestsPerMinute, 60_000);
      buckets.push({ key: `list:${this.pacing.accountKey}`, burst: list.apiBurst, refillPerMs: list.apiRefillPerMs });
    }
    for (;;) {
      waiting.signal?.throwIfAborted();
      const waitMs = await this.ledger.takeApiTokens(buckets);
      if (waitMs === 0) {
        return;
      }
      await waiting.whileWaiting?.();
      await pause(Math.min(waitMs, LONGEST_SLEEP_MS), waiting.signal);
    }
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (the loop then throws its reason). */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
