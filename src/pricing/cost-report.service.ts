import { Injectable } from '@nestjs/common';
import { toMoney } from '../common/graphql/money-view';
import { Decimal, sumDecimals } from '../common/money/money';
import type { CampaignRecord } from '../domain/campaign.record';
import { CostReportRepository } from '../persistence/cost-report.repository';
import { CostReport } from './models/cost-report.model';

/** Country label of messages stored without one ("unknown region" in CLDR). */
export const UNKNOWN_COUNTRY = 'ZZ';

interface CountryCosts {
  country: string;
  recipients: number;
  estimated: Decimal;
  actual: Decimal;
  reportedMessages: number;
}

/** Estimated against provider-reported cost of a campaign, per country; exact until the GraphQL edge. */
@Injectable()
export class CostReportService {
  constructor(private readonly costs: CostReportRepository) {}

  async forCampaign(campaign: CampaignRecord): Promise<CostReport> {
    const { estimated, actual } = await this.costs.findCampaignCosts(campaign.id);
    // Countries of the estimate first, in its order, then any country only the messages have.
    const rows = new Map<string, CountryCosts>();
    for (const entry of estimated) {
      rows.set(entry.country, {
        country: entry.country,
        recipients: entry.recipients,
        estimated: new Decimal(entry.cost),
        actual: new Decimal(0),
        reportedMessages: 0,
      });
    }
    for (const group of actual) {
      const country = group.country ?? UNKNOWN_COUNTRY;
      const row = rows.get(country) ?? {
        country,
        recipients: 0,
        estimated: new Decimal(0),
        actual: new Decimal(0),
        reportedMessages: 0,
      };
      // Without an estimate for the country, its messages are its recipients.
      row.recipients = rows.has(country) ? row.recipients : row.recipients + group.messages;
      row.actual = row.actual.plus(group.amount);
      row.reportedMessages += group.reportedMessages;
      rows.set(country, row);
    }

    const perCountry = [...rows.values()];
    const { currency } = campaign;
    // Campaigns stored without a per-country estimate still have their total estimate.
    const estimatedTotal =
      estimated.length > 0 ? sumDecimals(perCountry.map((row) => row.estimated)) : campaign.estimatedCost;
    return {
      currency,
      estimatedTotal: toMoney(estimatedTotal, currency),
      actualTotal: toMoney(sumDecimals(perCountry.map((row) => row.actual)), currency),
      perCountry: perCountry.map((row) => ({
        country: row.country,
        recipients: row.recipients,
        estimated: toMoney(row.estimated, currency),
        actual: toMoney(row.actual, currency),
        reportedMessages: row.reportedMessages,
      })),
    };
  }
}
