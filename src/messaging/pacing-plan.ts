import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.service';
import { ProviderAccount } from '../sms-gateway/provider-account';
import { PacingLimits } from './pacing';

// Never let the queue at Plivo come near message_expiry, whatever the lead.
const EXPIRY_SAFETY = 0.8;

/** One of our accounts with its own MPS cap (AccountSettings.mps); null: no cap of its own. */
export interface AccountMpsCap {
  accountId: string;
  mps: number | null;
}

/** A shared pacing row (in PostgreSQL) and the limits a batch is checked against. */
export interface PacingKey {
  key: string;
  limits: PacingLimits;
}

/**
 * Which shared pacing rows a sender's batches count against, with their limits. Submission is
 * just in time: each lane (the Plivo account, a sender with its own MPS, and one of our accounts
 * with its own MPS cap) keeps at most DISPATCH_LEAD_SECONDS of its MPS queued at Plivo, because a
 * queued message cannot be withdrawn.
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

  /**
   * An account's own MPS cap, never above PLIVO_MPS; undefined when it has none. Accounts share the
   * Plivo account's MPS, so a cap only lowers an account's share.
   */
  accountCapMps(account: AccountMpsCap | undefined): number | undefined {
    return account?.mps ? Math.min(account.mps, this.accountMps) : undefined;
  }

  /** Messages per second of the slowest lane a sender's batches (of this account) go through. */
  laneMps(senderId: string, account?: AccountMpsCap): number {
    const ownMps = this.config.dispatch.senderMps.get(senderId);
    const capMps = this.accountCapMps(account);
    return Math.min(this.accountMps, ownMps ?? Infinity, capMps ?? Infinity);
  }

  /** min(DISPATCH_BATCH_SIZE, MPS x lead): small accounts send small batches often, large ones 1,000 numbers. */
  batchSizeFor(senderId: string, account?: AccountMpsCap): number {
    const { maxBatchSize } = this.config.dispatch;
    return Math.max(1, Math.min(maxBatchSize, Math.floor((this.laneMps(senderId, account) * this.maxQueueMs) / 1000)));
  }

  /** The pacing row of one of our accounts with its own MPS cap. */
  accountCapKey(accountId: string): string {
    return `tenant:${this.provider.authId}:${accountId}`;
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

  keysFor(senderId: string, account?: AccountMpsCap): PacingKey[] {
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
    const capMps = this.accountCapMps(account);
    if (account && capMps !== undefined) {
      keys.push({
        key: this.accountCapKey(account.accountId),
        limits: { ...common, mps: capMps, apiBurst: Infinity, apiRefillPerMs: 1 },
      });
    }
    return keys;
  }
}
