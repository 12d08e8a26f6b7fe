import { Injectable } from '@nestjs/common';
import { Transactor } from '../persistence/transactor';
import { release, takeToken } from './pacing';
import { PacingKey } from './pacing-plan';

/**
 * Changes to the shared pacing rows outside a claim: queue time given back, API tokens taken for
 * reads. Each is one short transaction on the locked rows; the arithmetic is in `pacing.ts`.
 */
@Injectable()
export class PacingLedger {
  constructor(private readonly transactor: Transactor) {}

  /** Gives back the queue time reserved for messages that did not reach the provider. */
  async release(keys: PacingKey[], messages: number): Promise<void> {
    await this.transactor.run(async (tx) => {
      const rows = await tx.dispatch.lockPacing(keys.map((k) => ({ key: k.key, initialTokens: 0 })));
      await tx.dispatch.reservePacing(
        rows.map((row) => {
          const limits = keys.find((k) => k.key === row.key)!.limits;
          const state = {
            queueDrainsAtMs: row.queueDrainsAt.getTime(),
            apiTokens: row.apiTokens,
            apiTokensAtMs: row.apiTokensAt.getTime(),
          };
          const next = release(state, limits, messages, row.now.getTime());
          return {
            key: row.key,
            queueDrainsAt: new Date(next.queueDrainsAtMs),
            apiTokens: row.apiTokens,
            apiTokensAt: row.apiTokensAt,
          };
        }),
      );
    });
  }

  /**
   * Takes one request token from every bucket (shared by all instances), or says how many
   * milliseconds to wait before asking again (then nothing is taken).
   */
  async takeApiTokens(buckets: Array<{ key: string; burst: number; refillPerMs: number }>): Promise<number> {
    return this.transactor.run(async (tx) => {
      const rows = await tx.dispatch.lockPacing(buckets.map((b) => ({ key: b.key, initialTokens: b.burst })));
      let waitMs = 0;
      const next = [];
      for (const row of rows) {
        const bucket = buckets.find((b) => b.key === row.key)!;
        const taken = takeToken(
          { apiTokens: row.apiTokens, apiTokensAtMs: row.apiTokensAt.getTime() },
          bucket,
          row.now.getTime(),
        );
        if (!taken.granted) {
          waitMs = Math.max(waitMs, taken.waitMs);
        } else {
          next.push({
            key: row.key,
            queueDrainsAt: row.queueDrainsAt,
            apiTokens: taken.apiTokens,
            apiTokensAt: row.now,
          });
        }
      }
      if (waitMs > 0) {
        return waitMs;
      }
      await tx.dispatch.reservePacing(next);
      return 0;
    });
  }
}
