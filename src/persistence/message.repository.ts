import { Injectable } from '@nestjs/common';
import Decimal from 'decimal.js';
import { MessageRecord } from '../domain/message.record';
import { MessageStatus } from '../domain/message-status.enum';
import { Prisma } from '../generated/prisma/client';
import type { Message as MessageRow } from '../generated/prisma/client';
import { decodeCursor, encodeCursor, InvalidCursorError } from './keyset-cursor';
import {
  hasUnmadeListMessages,
  InTransaction,
  makeAllListMessages,
  makeListMessages,
  makeNextListMessages,
  unmadeBatchesHolding,
} from './list-messages';
import { PrismaService } from './prisma.service';
import { ERASED_PREFIX } from './suppression.repository';

export interface MessagePage {
  items: Array<{ cursor: string; message: MessageRecord }>;
  hasNextPage: boolean;
}

@Injectable()
export class MessageRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Every message of a list's campaign, those of the batches not claimed yet made first (an export reads them
   * all; src/persistence/list-messages.ts). Nothing to make: one index probe.
   */
  async makeAllListMessages(campaignId: string): Promise<void> {
    await makeAllListMessages(this.prisma, campaignId, this.transaction);
  }

  private readonly transaction: InTransaction = (work) => this.prisma.$transaction(work, { timeout: 60_000 });

  /** Keyset pagination on the message id (insertion order), optionally filtered by status and number. */
  async listForCampaign(
    campaignId: string,
    status: MessageStatus | null | undefined,
    first: number,
    after?: string | null,
    to?: string | null,
  ): Promise<MessagePage> {
    let afterId: bigint | undefined;
    if (after) {
      const { sortKey, id } = decodeCursor(after);
      if (sortKey !== 'm' || !/^\d{1,19}$/.test(id)) {
        throw new InvalidCursorError(after);
      }
      afterId = BigInt(id);
    }
    if (to) {
      await this.makeListMessagesTo(campaignId, to);
    }
    let rows: MessageRow[];
    // Whether recipients are left to make: asked once, then told by each step that makes some.
    let unmadeLeft: boolean | undefined;
    for (;;) {
      rows =
        status || to
          ? await this.filtered(campaignId, status ?? null, to ?? null, afterId ?? 0n, first + 1)
          : await this.firstOfEachStatus(campaignId, afterId ?? 0n, first + 1);
      // A list's recipients not made yet are PENDING, and get ids above every message made so far: a page
      // that is full, or that could not hold them, is complete; else the next ones are made, in list order.
      const complete = rows.length > first || to || (status && status !== MessageStatus.PENDING);
      unmadeLeft ??= !complete && (await hasUnmadeListMessages(this.prisma, campaignId));
      if (complete || !unmadeLeft) {
        break;
      }
      unmadeLeft = await makeNextListMessages(this.prisma, campaignId, first + 1 - rows.length, this.transaction);
    }
    const page = rows.slice(0, first);
    // Personalized campaigns: each message's text is its batch's, read for the whole page in one query.
    const batchIds = [...new Set(page.flatMap((row) => (row.batchId ? [row.batchId] : [])))];
    const texts = new Map<string, string>();
    if (batchIds.length > 0) {
      const batches = await this.prisma.$queryRaw<Array<{ id: string; text: string }>>`
        SELECT id, text FROM "Batch" WHERE id = ANY(${batchIds}::uuid[]) AND text IS NOT NULL`;
      batches.forEach((b) => texts.set(b.id, b.text));
    }
    return {
      hasNextPage: rows.length > first,
      items: page.map((row) => ({
        cursor: encodeCursor('m', row.id.toString()),
        message: {
          ...toMessageRecord(row),
          // An erased recipient's rendered text is personal data: never shown again (see ErasureRepository).
          renderedText: row.batchId && !row.to.startsWith(ERASED_PREFIX) ? (texts.get(row.batchId) ?? null) : null,
        },
      })),
    };
  }

  /**
   * The campaign's next `limit` messages in id order, whatever their status: the first `limit` of each
   * status through ("campaignId", status, id), merged. Asked for in one query, PostgreSQL would walk
   * the primary key in id order past other campaigns' messages: O(table) for a campaign at its end.
   */
  private firstOfEachStatus(campaignId: string, afterId: bigint, limit: number): Promise<MessageRow[]> {
    const perStatus = Object.values(MessageStatus).map(
      (status) => Prisma.sql`(SELECT * FROM "Message"
        WHERE "campaignId" = ${campaignId}::uuid AND status = ${status}::"MessageStatus" AND id > ${afterId}
        ORDER BY id LIMIT ${limit})`,
    );
    return this.prisma.$queryRaw<MessageRow[]>`
      SELECT * FROM (${Prisma.join(perStatus, ' UNION ALL ')}) m ORDER BY id LIMIT ${limit}`;
  }

  /** The campaign's next `limit` messages in id order with this status and/or number. */
  private filtered(
    campaignId: string,
    status: MessageStatus | null,
    to: string | null,
    afterId: bigint,
    limit: number,
  ): Promise<MessageRow[]> {
    return this.prisma.$queryRaw<MessageRow[]>`
      SELECT * FROM "Message" WHERE "campaignId" = ${campaignId}::uuid ${matching(status, to)} AND id > ${afterId}
      ORDER BY id LIMIT ${limit}`;
  }

  /**
   * A list's campaign counts its recipients whose messages are not made yet as PENDING (read in the same
   * statement, so a claim making some meanwhile counts them once); a count by number makes that number's first.
   */
  async countForCampaign(campaignId: string, status?: MessageStatus | null, to?: string | null): Promise<number> {
    if (to) {
      await this.makeListMessagesTo(campaignId, to);
    }
    const unmade = !to && (!status || status === MessageStatus.PENDING);
    const [row] = await this.prisma.$queryRaw<Array<{ count: number }>>`
      SELECT ((SELECT count(*) FROM "Message" WHERE "campaignId" = ${campaignId}::uuid ${matching(status ?? null, to ?? null)})
        + (CASE WHEN ${unmade} THEN (SELECT coalesce(sum(cardinality("listPositions")), 0) FROM "Batch"
             WHERE "campaignId" = ${campaignId}::uuid AND cardinality("listPositions") > 0) ELSE 0 END))::int AS count`;
    return row.count;
  }

  /** The messages to `to` of a list's campaign's batches not claimed yet are made (a search by number). */
  private async makeListMessagesTo(campaignId: string, to: string): Promise<void> {
    // The search reads the list's entries: only while some are still to be made (an index probe).
    if (!(await hasUnmadeListMessages(this.prisma, campaignId))) {
      return;
    }
    const holding = await unmadeBatchesHolding(this.prisma, to, { campaignId });
    if (holding.length > 0) {
      await this.transaction((tx) => makeListMessages(tx, { batchIds: holding }));
    }
  }

  /**
   * The campaign's messages Plivo accepted: at the provider (SUBMITTED to UNCONFIRMED, from the counters) or
   * finished by its report (FAILED or REJECTED with a provider id). A FAILED or REJECTED the service set
   * itself, for a submission Plivo refused or a number its answer called invalid, has no provider id.
   */
  /** Per campaign id, how many of its messages Plivo accepted (0 for an id that is not a campaign). */
  async countWithProvider(campaignIds: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.prisma.$queryRaw<Array<{ id: string; count: number }>>`
      SELECT c.id::text AS id, (c.submitted + c.queued + c.sent + c.delivered + c.undelivered + c.unconfirmed
        + (SELECT count(*) FROM "Message" m WHERE m."campaignId" = c.id
            AND m.status IN ('FAILED', 'REJECTED') AND m."providerMessageId" IS NOT NULL))::int AS count
      FROM "Campaign" c WHERE c.id = ANY(${[...campaignIds]}::uuid[])`;
    return new Map(campaignIds.map((id) => [id, rows.find((row) => row.id === id)?.count ?? 0]));
  }
}

/** The status and number conditions of a message filter (none when both are null). */
function matching(status: MessageStatus | null, to: string | null): Prisma.Sql {
  return Prisma.sql`${status ? Prisma.sql`AND status = ${status}::"MessageStatus"` : Prisma.empty}
    ${to ? Prisma.sql`AND "to" = ${to}` : Prisma.empty}`;
}

export function toMessageRecord(row: MessageRow): MessageRecord {
  return {
    id: row.id.toString(),
    campaignId: row.campaignId,
    to: row.to,
    country: row.country,
    status: row.status as MessageStatus,
    providerMessageId: row.providerMessageId,
    errorCode: row.errorCode,
    units: row.units,
    amount: row.amount === null ? null : new Decimal(row.amount.toString()),
    updatedAt: row.updatedAt,
    inBatch: row.batchId !== null,
  };
}
