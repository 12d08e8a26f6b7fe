import { Injectable } from '@nestjs/common';
import { Db, InjectDb } from './db';

/** Waiting recipients of a campaign that share a send window and brake state. */
export interface WaitingGroup {
  windowZone: string | null;
  windowStartMinute: number | null;
  windowEndMinute: number | null;
  windowDays: number | null;
  /** Held by a tripped brake. */
  held: boolean;
  recipients: number;
}

/** What holds back a campaign's waiting messages: closed send windows and tripped brakes. */
@Injectable()
export class SendingHoldRepository {
  constructor(@InjectDb() private readonly db: Db) {}

  /** The campaign's waiting batches, grouped by window and brake state: one short aggregate. */
  async waitingGroups(campaignId: string): Promise<WaitingGroup[]> {
    return this.db.$queryRaw<WaitingGroup[]>`
      SELECT "windowZone", "windowStartMinute", "windowEndMinute", "windowDays", ("heldBy" IS NOT NULL) AS held,
             sum("recipientCount")::int AS recipients
      FROM "Batch"
      WHERE "campaignId" = ${campaignId}::uuid AND state = 'PENDING'
      GROUP BY 1, 2, 3, 4, 5`;
  }
}
