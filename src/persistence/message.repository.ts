import { Injectable } from '@nestjs/common';
import Decimal from 'decimal.js';
import { MessageRecord } from '../domain/message.record';
import { MessageStatus } from '../domain/message-status.enum';
import type { Message as MessageRow } from '../generated/prisma/client';
import { decodeCursor, encodeCursor, InvalidCursorError } from './keyset-cursor';
import { PrismaService } from './prisma.service';

export interface MessagePage {
  items: Array<{ cursor: string; message: MessageRecord }>;
  hasNextPage: boolean;
}

@Injectable()
export class MessageRepository {
  constructor(private readonly prisma: PrismaService) {}

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
    const rows = await this.prisma.message.findMany({
      where: {
        campaignId,
        ...(status && { status }),
        ...(to && { to }),
        ...(afterId !== undefined && { id: { gt: afterId } }),
      },
      orderBy: { id: 'asc' },
      take: first + 1,
    });
    return {
      hasNextPage: rows.length > first,
      items: rows
        .slice(0, first)
        .map((row) => ({ cursor: encodeCursor('m', row.id.toString()), message: toMessageRecord(row) })),
    };
  }

  countForCampaign(campaignId: string, status?: MessageStatus | null, to?: string | null): Promise<number> {
    return this.prisma.message.count({ where: { campaignId, ...(status && { status }), ...(to && { to }) } });
  }
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
  };
}
