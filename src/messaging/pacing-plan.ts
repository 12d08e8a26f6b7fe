import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.service';
import { ProviderAccount } from '../sms-gateway/provider-account';
import { PacingLimits } from './pacing';

// Never let the queue at Plivo come near message_expiry, whatever the lead.
const EXPIRY_SAFETY = 0.8;

/** A shared pacing row (in PostgreSQL) and the limits a batch is checked against. */
export interface PacingKey {
  key: string;
  limits: PacingLimits;
}

/**
 * Which shared pacing rows a sender's batches count against, with their limits. Submission is
 * just in time: each lane (the account, and a sender with its own MPS) keeps at most
 * DISPATCH_LEAD_SECONDS of its MPS queued at Plivo, because a queued message cannot be withdrawn.
 */
@Injectable()
export class PacingPlan {
  constructor(
    private readonly config: AppConfig,
    private readonly provider: ProviderAccount,
  ) {}

  get accountKey(): string {
    return `account:${this.provider.authId}`;
  }

  get accountMps(): number {
    return this.config.dispatch.accountMps;
  }

  /** Messages per second of the slowest lane a sender's batches go through. */
  laneMps(senderId: string): number {
    const ownMps = this.config.dispatch.senderMps.get(senderId);
    return ownMps === undefined ? this.accountMps : Math.min(ownMps, this.accountMps);
  }

  /** min(DISPATCH_BATCH_SIZE, MPS x lead): small accounts send small batches often, large ones 1,000 numbers. */
  batchSizeFor(senderId: string): number {
    const { maxBatchSize } = this.config.dispatch;
    return Math.max(1, Math.min(maxBatchSize, Math.floor((this.laneMps(senderId) * this.maxQueueMs) / 1000)));
  }

  /** The longest a message may wait in a lane's queue at Plivo: the lead, at most 80 % of message_expiry. */
  get maxQueueMs(): number {
    const { leadMs, messageExpirySeconds } = this.config.dispatch;
    return Math.min(leadMs, messageExpirySeconds * 1000 * EXPIRY_SAFETY);
  }

  /**
   * A token bucket that never lets more than `limit` requests into any window of `windowMs`:
   * a full bucket plus what refills during one window must stay within the limit.
   */
  apiBucket(limit: number, windowMs: number): { apiBurst: number; apiRefillPerMs: number } {
    return { apiBurst: Math.max(1, Math.floor(limit / 2)), apiRefillPerMs: limit / 2 / windowMs };
  }

  keysFor(senderId: string): PacingKey[] {
    const { senderMps, apiRequestsPer5s } = this.config.dispatch;
    const common = { maxQueueMs: this.maxQueueMs, ...this.apiBucket(apiRequestsPer5s, 5_000) };
    const keys: PacingKey[] = [{ key: this.accountKey, limits: { ...common, mps: this.accountMps } }];
    const ownMps = senderMps.get(senderId);
    if (ownMps !== undefined) {
      // Only the account row spends API tokens: the API limit is per account, not per sender.
      keys.push({
        key: `sender:${this.provider.authId}:${senderId}`,
        limits: { ...common, mps: ownMps, apiBurst: Infinity, apiRefillPerMs: 1 },
      });
    }
    return keys;
  }
}
