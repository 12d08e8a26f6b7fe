import { toMoney } from '../common/graphql/money-view';
import type { RecipientValidationResult } from '../messaging/recipient-validator';
import { Quote } from './models/quote.model';
import type { CostEstimate, TextAnalysis } from './pricing.types';

/** The GraphQL view of a quote: amounts stay exact until here, where toMoney rounds each once. */
export function toQuote(
  analysis: TextAnalysis,
  recipients: RecipientValidationResult,
  estimate: CostEstimate,
  assumedTimeZoneRecipients = 0,
): Quote {
  const { currency } = estimate;
  return {
    ...analysis,
    recipients: recipients.valid.length,
    rejectedRecipients: recipients.rejected,
    perCountry: estimate.perCountry.map((entry) => ({
      country: entry.country,
      recipients: entry.recipients,
      pricePerSegment: toMoney(entry.pricePerSegment, currency),
      cost: toMoney(entry.cost, currency),
    })),
    totalCost: toMoney(estimate.totalCost, currency),
    assumedTimeZoneRecipients,
  };
}
