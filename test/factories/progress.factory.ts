import type { INestApplication } from '@nestjs/common';
import { CampaignEvents } from '../../src/domain/campaign-events';
import { CampaignStatus } from '../../src/domain/campaign-status.enum';
import { MessageStatus } from '../../src/domain/message-status.enum';
import { PrismaService } from '../../src/persistence/prisma.service';

export interface ProgressCampaignOptions {
  status?: CampaignStatus;
  /** Messages to insert, all in `messageStatus`. */
  messages?: number;
  messageStatus?: MessageStatus;
  name?: string;
}

/**
 * Campaigns and messages written straight through Prisma, the way the dispatcher and the report
 * applier change them, with no batches: no dispatcher ever picks these messages up.
 */
export function progressFactory(app: INestApplication) {
  const prisma = app.get(PrismaService);
  return {
    async campaign(accountId: string, options: ProgressCampaignOptions = {}): Promise<{ id: string }> {
      const campaign = await prisma.campaign.create({
        data: {
          accountId,
          name: options.name ?? 'live progress',
          status: options.status ?? CampaignStatus.SENDING,
          text: 'Hello',
          senderId: '+14155550100',
          encoding: 'GSM7',
          segmentsPerMessage: 1,
          estimatedCost: '0',
        },
        select: { id: true },
      });
      const count = options.messages ?? 0;
      if (count > 0) {
        await prisma.message.createMany({
          data: Array.from({ length: count }, (_, i) => ({
            campaignId: campaign.id,
            to: `+1415555${String(i).padStart(4, '0')}`,
            country: 'US',
            status: options.messageStatus ?? MessageStatus.SUBMITTED,
          })),
        });
      }
      return campaign;
    },

    /** Moves up to `count` messages (lowest ids first) from one status to another, one statement. */
    async moveMessages(
      campaignId: string,
      from: MessageStatus,
      to: MessageStatus,
      count: number,
      amount?: string,
    ): Promise<number> {
      return prisma.$executeRaw`
        UPDATE "Message" SET status = ${to}::"MessageStatus", amount = COALESCE(${amount ?? null}::numeric, amount), "updatedAt" = now()
        WHERE id IN (SELECT id FROM "Message" WHERE "campaignId" = ${campaignId}::uuid AND status = ${from}::"MessageStatus" ORDER BY id LIMIT ${count})`;
    },

    async setStatus(campaignId: string, status: CampaignStatus): Promise<void> {
      await prisma.campaign.update({ where: { id: campaignId }, data: { status } });
    },

    /** What the dispatcher and the report applier do after each commit. */
    signal(...campaignIds: string[]): void {
      app.get(CampaignEvents).campaignsChanged(campaignIds);
    },

    async counters(campaignId: string) {
      return prisma.campaign.findUniqueOrThrow({ where: { id: campaignId } });
    },
  };
}
