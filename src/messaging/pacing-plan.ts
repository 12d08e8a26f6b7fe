import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.service';
import { PacingKey } from '../persistence/dispatch.repository';
import { ProviderAccount } from '../sms-gateway/provider-account';

// Our model of the provider's queue is approximate: keep a fifth of message_expiry in reserve.
const QUEUE_SAFETY = 0.8;

/** Which shared pacing rows a sender's batches count against, with their limits. */
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
   * A token bucket that never lets more than `limit` requests into any window of `windowMs`:
   * a full bucket plus what refills during one window must stay within the limit.
   */
  apiBucket(limit: number, windowMs: number): { apiBurst: number; apiRefillPerMs: number } {
    return { apiBurst: Math.max(1, Math.floor(limit / 2)), apiRefillPerMs: limit / 2 / windowMs };
  }

  keysFor(senderId: string): PacingKey[] {
    const { senderMps, messageExpirySeconds, apiRequestsPer5s } = this.config.dispatch;
    const common = {
      maxQueueMs: messageExpirySeconds * 1000 * QUEUE_SAFETY,
      ...this.apiBucket(apiRequestsPer5s, 5_000),
    };
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
