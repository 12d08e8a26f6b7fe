import Decimal from 'decimal.js';

export interface CampaignSpend {
  maxCost: Decimal | null;
  estimatedCost: Decimal;
  actualCost: Decimal;
  total: number;
  suppressed: number;
  /** Messages the provider has not costed yet (waiting, submitted, queued). */
  uncosted: number;
}

/**
 * With a budget, the campaign pauses before spending more than it: what the provider reported so
 * far plus the estimate for every message not yet costed must stay within maxCost. Returns the
 * reason to pause with, or null.
 */
export function overBudgetReason(spend: CampaignSpend): string | null {
  if (spend.maxCost === null) {
    return null;
  }
  const sendable = spend.total - spend.suppressed;
  const perMessage = sendable > 0 ? spend.estimatedCost.div(sendable) : new Decimal(0);
  const projected = spend.actualCost.plus(perMessage.times(spend.uncosted));
  if (projected.lessThanOrEqualTo(spend.maxCost)) {
    return null;
  }
  return `budget: projected cost ${projected.toFixed(5)} (reported ${spend.actualCost.toFixed(5)} + estimate for ${spend.uncosted} messages) exceeds maxCost ${spend.maxCost.toFixed(5)}`;
}
