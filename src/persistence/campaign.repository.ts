import { Injectable } from '@nestjs/common';
import Decimal from 'decimal.js';
import { CampaignRecord, RejectedRecipient } from '../domain/campaign.record';
import { CampaignStatus } from '../domain/campaign-status.enum';
import { Encoding } from '../domain/encoding.enum';
import type { Campaign as CampaignRow } from '../generated/prisma/client';
import { decodeCursor, encodeCursor, InvalidCursorError } from './keyset-cursor';
import { PrismaService } from './prisma.service';

export interface CampaignPage {
  items: Array<{ cursor: string; campaign: CampaignRecord }>;
  hasNextPage: boolean;
}

export interface NewCampaign {
  accountId: string;
  name?: string | null;
  status: CampaignStatus;
  text: string;
  senderId: string;
  encoding: Encoding;
  segmentsPerMessage: number;
  idempotencyKey?: string | null;
  estimatedCost: Decimal;
  maxCost?: Decimal | null;
  rejectedRecipients?: RejectedRecipient[];
  scheduledAt?: Date | null;
}

@Injectable()
export class CampaignRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Scoped to the account: another account's campaign is simply not found. */
  async findForAccount(accountId: string, id: string): Promise<CampaignRecord | null> {
    if (!isUuid(id)) {
      return null;
    }
    const row = await this.prisma.campaign.findFirst({ where: { id, accountId } });
    return row ? toCampaignRecord(row) : null;
  }

  /** Newest first, keyset-paginated on (createdAt, id); fetches first + 1 to know if more follow. */
  async listForAccount(accountId: string, first: number, after?: string): Promise<CampaignPage> {
    const position = after ? decodeCursor(after) : undefined;
    if (position && (Number.isNaN(Date.parse(position.sortKey)) || !isUuid(position.id))) {
      throw new InvalidCursorError(after!);
    }
    const rows = await this.prisma.campaign.findMany({
      where: {
        accountId,
        ...(position && {
          OR: [
            { createdAt: { lt: new Date(position.sortKey) } },
            { createdAt: new Date(position.sortKey), id: { lt: position.id } },
          ],
        }),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: first + 1,
    });
    return {
      hasNextPage: rows.length > first,
      items: rows.slice(0, first).map((row) => ({
        cursor: encodeCursor(row.createdAt.toISOString(), row.id),
        campaign: toCampaignRecord(row),
      })),
    };
  }

  async create(campaign: NewCampaign): Promise<CampaignRecord> {
    const row = await this.prisma.campaign.create({
      data: {
        ...campaign,
        estimatedCost: campaign.estimatedCost.toFixed(5),
        maxCost: campaign.maxCost?.toFixed(5) ?? null,
        rejectedRecipients: (campaign.rejectedRecipients ?? []).map(({ input, reason }) => ({ input, reason })),
      },
    });
    return toCampaignRecord(row);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function toCampaignRecord(row: CampaignRow): CampaignRecord {
  return {
    ...row,
    status: row.status as CampaignStatus,
    encoding: row.encoding as Encoding,
    estimatedCost: new Decimal(row.estimatedCost.toString()),
    maxCost: row.maxCost === null ? null : new Decimal(row.maxCost.toString()),
    actualCost: new Decimal(row.actualCost.toString()),
    rejectedRecipients: row.rejectedRecipients as unknown as RejectedRecipient[],
  };
}
