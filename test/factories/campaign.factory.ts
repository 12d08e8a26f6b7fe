import Decimal from 'decimal.js';
import { randomUUID } from 'node:crypto';
import { CampaignStatus } from '../../src/domain/campaign-status.enum';
import { Encoding } from '../../src/domain/encoding.enum';
import { MessageStatus } from '../../src/domain/message-status.enum';
import type { NewCampaign } from '../../src/persistence/campaign.repository';
import { PrismaService } from '../../src/persistence/prisma.service';

export type BatchStateName = 'PENDING' | 'SUBMITTING' | 'ACCEPTED' | 'AMBIGUOUS' | 'FAILED' | 'CANCELLED';

export interface RecipientSpec {
  to: string;
  country?: string;
  status?: MessageStatus;
  providerMessageId?: string | null;
  sentAt?: Date | null;
  submittedAt?: Date | null;
}

export interface BatchSpec {
  state?: BatchStateName;
  recipients: RecipientSpec[];
  providerUuids?: string[];
  acceptedAt?: Date | null;
}

export interface CampaignSpec {
  accountId?: string;
  status?: CampaignStatus;
  batches: BatchSpec[];
}

export interface CreatedMessage {
  id: bigint;
  to: string;
  providerMessageId: string | null;
}

export interface CreatedCampaign {
  accountId: string;
  campaignId: string;
  batches: Array<{ id: string; messages: CreatedMessage[] }>;
}

/** `+447700` + 6 digits: a valid-looking UK mobile number per index. */
export function gbNumber(index: number): string {
  return `+447700${String(index).padStart(6, '0')}`;
}

/** `+1415` + 7 digits: a US number per index. */
export function usNumber(index: number): string {
  return `+1415${String(5_000_000 + index).padStart(7, '0')}`;
}

/**
 * A campaign for CampaignRepository's create methods that no dispatcher touches while a test runs: paused
 * (give its batches a first attempt far ahead too, e.g. 2100).
 */
export function pausedCampaign(accountId: string, overrides: Partial<NewCampaign> = {}): NewCampaign {
  return {
    accountId,
    status: CampaignStatus.PAUSED,
    text: 'Hello',
    senderId: '+14155550100',
    encoding: Encoding.GSM7,
    segmentsPerMessage: 1,
    estimatedCost: new Decimal(0),
    ...overrides,
  };
}

/**
 * Campaigns with batches and messages, written straight to the database (tests only), as sendBulk
 * and the dispatcher would leave them. Counters follow through the Message trigger.
 */
export class CampaignFactory {
  constructor(private readonly prisma: PrismaService) {}

  async account(): Promise<string> {
    const account = await this.prisma.account.create({ data: { name: `dr-test-${randomUUID().slice(0, 8)}` } });
    return account.id;
  }

  async campaign(spec: CampaignSpec): Promise<CreatedCampaign> {
    const accountId = spec.accountId ?? (await this.account());
    const campaign = await this.prisma.campaign.create({
      data: {
        accountId,
        status: spec.status ?? CampaignStatus.SENDING,
        text: 'Hello from the delivery report tests',
        senderId: '+14155550100',
        encoding: 'GSM7',
        segmentsPerMessage: 1,
        estimatedCost: '0',
        startedAt: new Date(),
      },
    });
    const created: CreatedCampaign = { accountId, campaignId: campaign.id, batches: [] };
    for (const [sequence, batchSpec] of spec.batches.entries()) {
      const state = batchSpec.state ?? 'ACCEPTED';
      const batch = await this.prisma.batch.create({
        data: {
          campaignId: campaign.id,
          sequence,
          recipientCount: batchSpec.recipients.length,
          state,
          attempts: state === 'PENDING' ? 0 : 1,
          providerUuids: batchSpec.providerUuids ?? [],
          submittedAt: state === 'PENDING' ? null : new Date(),
          acceptedAt:
            state === 'ACCEPTED' ? (batchSpec.acceptedAt === undefined ? new Date() : batchSpec.acceptedAt) : null,
        },
      });
      const defaultStatus = state === 'ACCEPTED' ? MessageStatus.SUBMITTED : MessageStatus.PENDING;
      await this.prisma.message.createMany({
        data: batchSpec.recipients.map((r) => {
          const status = r.status ?? defaultStatus;
          return {
            campaignId: campaign.id,
            batchId: batch.id,
            to: r.to,
            country: r.country ?? (r.to.startsWith('+1') ? 'US' : 'GB'),
            status,
            providerMessageId: r.providerMessageId ?? null,
            sentAt: r.sentAt ?? null,
            submittedAt:
              r.submittedAt === undefined ? (status === MessageStatus.PENDING ? null : new Date()) : r.submittedAt,
          };
        }),
      });
      const messages = await this.prisma.message.findMany({
        where: { batchId: batch.id },
        orderBy: { id: 'asc' },
        select: { id: true, to: true, providerMessageId: true },
      });
      created.batches.push({ id: batch.id, messages });
    }
    return created;
  }

  /** Per-status counts from the messages themselves, and the counters the trigger keeps. */
  async countersAndTruth(campaignId: string): Promise<{
    counters: Record<string, number>;
    truth: Record<string, number>;
    actualCost: string;
    sumAmount: string;
  }> {
    // One snapshot for the three reads: reports still being applied would otherwise show each read a
    // different number of them, and the counters a mismatch they do not have.
    const [campaign, groups, [{ sum }]] = await this.prisma.$transaction(
      [
        this.prisma.campaign.findUniqueOrThrow({ where: { id: campaignId } }),
        this.prisma.$queryRawUnsafe<Array<{ status: string; n: number }>>(
          `SELECT status::text AS status, count(*)::int AS n FROM "Message" WHERE "campaignId" = $1::uuid GROUP BY status`,
          campaignId,
        ),
        this.prisma.$queryRawUnsafe<Array<{ sum: string }>>(
          `SELECT coalesce(sum(amount), 0)::numeric(18,5)::text AS sum FROM "Message" WHERE "campaignId" = $1::uuid`,
          campaignId,
        ),
      ],
      { isolationLevel: 'RepeatableRead' },
    );
    const statuses = Object.values(MessageStatus);
    const truth: Record<string, number> = Object.fromEntries(statuses.map((s) => [s.toLowerCase(), 0]));
    groups.forEach((g) => (truth[g.status.toLowerCase()] = Number(g.n)));
    const counters = Object.fromEntries(
      statuses.map((s) => [s.toLowerCase(), (campaign as unknown as Record<string, number>)[s.toLowerCase()]]),
    );
    return { counters, truth, actualCost: campaign.actualCost.toFixed(5), sumAmount: sum };
  }
}
