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

  async beforeRead(kind: 'list' | 'get'): Promise<void> {
    const { apiRequestsPer5s, listRequestsPerMinute } = this.config.dispatch;
    const api = this.pacing.apiBucket(apiRequestsPer5s, 5_000);
    const buckets = [{ key: this.pacing.accountKey, burst: api.apiBurst, refillPerMs: api.apiRefillPerMs }];
    if (kind === 'list') {
      const list = this.pacing.apiBucket(listRequestsPerMinute, 60_000);
      buckets.push({ key: `list:${this.pacing.accountKey}`, burst: list.apiBurst, refillPerMs: list.apiRefillPerMs });
    }
    for (;;) {
      const waitMs = await this.ledger.takeApiTokens(buckets);
      if (waitMs === 0) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, LONGEST_SLEEP_MS)));
    }
  }
}
