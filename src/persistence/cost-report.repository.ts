import { Injectable } from '@nestjs/common';
import Decimal from 'decimal.js';
import { PrismaService } from './prisma.service';

/** One country of `Campaign.estimatedCostByCountry`, as quoted when the campaign was accepted. */
export interface EstimatedCountryCost {
  country: string;
  recipients: number;
  pricePerSegment: Decimal;
  cost: Decimal;
}

/** Provider-reported amounts of one country's messages. */
export interface ActualCountryCost {
  /** null for messages stored without a country. */
  country: string | null;
  messages: number;
  /** Messages with a provider-reported amount. */
  reportedMessages: number;
  /** Sum of `Message.amount` (Plivo's TotalAmount); 0 when none is reported yet. */
  amount: Decimal;
}

export interface CampaignCosts {
  estimated: EstimatedCountryCost[];
  actual: ActualCountryCost[];
}

@Injectable()
export class CostReportRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The estimate stored on the campaign and the actual amounts per country (one GROUP BY over its messages). */
  async findCampaignCosts(campaignId: string): Promise<CampaignCosts> {
    const [campaign, groups] = await Promise.all([
      this.prisma.campaign.findUnique({ where: { id: campaignId }, select: { estimatedCostByCountry: true } }),
      this.prisma.message.groupBy({
        by: ['country'],
        where: { campaignId },
        _count: { _all: true, amount: true },
        _sum: { amount: true },
        orderBy: { country: 'asc' },
      }),
    ]);
    return {
      estimated: parseEstimate(campaign?.estimatedCostByCountry),
      actual: groups.map((group) => ({
        country: group.country,
        messages: group._count._all,
        reportedMessages: group._count.amount,
        amount: new Decimal(group._sum.amount?.toString() ?? '0'),
      })),
    };
  }
}

// The JSON column is written by the campaigns module; a malformed entry is a bug there, so fail loudly.
export function parseEstimate(json: unknown): EstimatedCountryCost[] {
  if (json === undefined || json === null) {
    return [];
  }
  if (!Array.isArray(json)) {
    throw new TypeError('Campaign.estimatedCostByCountry is not an array');
  }
  return json.map((entry: unknown) => {
    const { country, recipients, pricePerSegment, cost } = (entry ?? {}) as Record<string, unknown>;
    if (
      typeof country !== 'string' ||
      typeof recipients !== 'number' ||
      !isAmount(pricePerSegment) ||
      !isAmount(cost)
    ) {
      throw new TypeError(`Campaign.estimatedCostByCountry has a malformed entry: ${JSON.stringify(entry)}`);
    }
    return { country, recipients, pricePerSegment: new Decimal(pricePerSegment), cost: new Decimal(cost) };
  });
}

function isAmount(value: unknown): value is string | number {
  return (
    (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) || typeof value === 'number'
  );
}
