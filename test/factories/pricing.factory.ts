import type { INestApplication } from '@nestjs/common';
import { CampaignRecord } from '../../src/domain/campaign.record';
import { MessageStatus } from '../../src/domain/message-status.enum';
import { CampaignRepository, NewCampaign } from '../../src/persistence/campaign.repository';
import { PrismaService } from '../../src/persistence/prisma.service';
import { pausedCampaign } from './campaign.factory';

export interface FactoryRecipient {
  phone: string;
  country: string;
}

export interface ReportedAmount {
  phone: string;
  status: MessageStatus;
  /** Plivo's TotalAmount, or null when not reported. */
  amount: string | null;
}

/** Campaigns with messages and provider-reported amounts, for the pricing tests. */
export function pricingFactory(app: INestApplication) {
  return {
    /** A campaign and its messages (one batch), inserted through the real repository. */
    campaign(
      accountId: string,
      recipients: FactoryRecipient[],
      overrides: Partial<NewCampaign> = {},
    ): Promise<CampaignRecord> {
      return app.get(CampaignRepository).createWithRecipients(
        // Due in 2100 as well: no dispatcher touches these messages while a test runs.
        pausedCampaign(accountId, { name: 'cost report', ...overrides }),
        {
          phones: recipients.map((r) => r.phone),
          countries: recipients.map((r) => r.country),
          batchSequences: recipients.map(() => 0),
          batchSizes: recipients.length > 0 ? [recipients.length] : [],
        },
        new Date('2100-01-01T00:00:00Z'),
      );
    },

    /** What delivery reports would write: a final status and the amount Plivo charged, per message. */
    async reportAmounts(campaignId: string, reports: ReportedAmount[]): Promise<void> {
      const prisma = app.get(PrismaService);
      for (const report of reports) {
        await prisma.message.updateMany({
          where: { campaignId, to: report.phone },
          data: { status: report.status, amount: report.amount, units: report.amount === null ? null : 1 },
        });
      }
    },
  };
}
