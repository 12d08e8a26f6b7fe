import Decimal from 'decimal.js';
import { formatExactAmount } from '../common/money/money';

export interface CampaignSpend {
  maxCost: Decimal | null;
  estimatedCost: Decimal;
  actualCost: Decimal;
  total: number;
  suppressed: number;
  /** Messages the provider has not costed yet (waiting, submitted, queued). */
  uncosted: number;
  /** Of those, the messages not yet sent (PENDING); the rest are at the provider. */
  waiting: number;
}

/** Recipients of a campaign's batches in one country (null: stored without one). */
export interface CountryRecipients {
  country: string | null;
  recipients: number;
}

/**
 * Where a campaign's uncosted messages are, by country: a message's estimate is its country's, and a
 * campaign to a dear and a cheap country priced at its average projected too much while the dear
 * one was reported and the cheap one still waited (and paused a campaign that fitted its budget).
 */
export interface UncostedMix {
  /** The countries of the batches that hold the messages not yet sent. */
  waitingBatches: CountryRecipients[];
  /** The countries of the batches accepted last, which hold the messages at the provider not yet costed. */
  inFlightBatches: CountryRecipients[];
  /** The estimate for one message in each country (Campaign.estimatedCostByCountry: cost / recipients). */
  pricePerMessage: Map<string, Decimal>;
}

// Averages are divisions: worked out well past the stored 5 decimals, then the projection is
// rounded to them, so a campaign whose estimate equals its budget is not over it by 1e-19.
const Exact = Decimal.clone({ precision: 40 });
const MONEY_DECIMALS = 5;

/**
 * With a budget, the campaign pauses before spending more than it: what the provider reported so
 * far plus the estimate for every message not yet costed must stay within maxCost. Returns the
 * reason to pause with, or null. A message of a country the estimate has no price for is priced at
 * the campaign's average.
 */
export function overBudgetReason(spend: CampaignSpend, mix: UncostedMix): string | null {
  if (spend.maxCost === null) {
    return null;
  }
  const projected = projectedCost(spend, mix);
  if (projected.lessThanOrEqualTo(spend.maxCost)) {
    return null;
  }
  return `budget: projected cost ${projected.toFixed(5)} (reported ${spend.actualCost.toFixed(5)} + estimate for ${spend.uncosted} messages) exceeds maxCost ${formatExactAmount(spend.maxCost)}`;
}

/** What the provider reported so far plus the estimate for every message not yet costed. */
export function projectedCost(spend: CampaignSpend, mix: UncostedMix): Decimal {
  const sendable = spend.total - spend.suppressed;
  const average = sendable > 0 ? new Exact(spend.estimatedCost.toString()).div(sendable) : new Exact(0);
  const uncostedEstimate = priced(spend.waiting, mix.waitingBatches, mix.pricePerMessage, average).plus(
    priced(spend.uncosted - spend.waiting, mix.inFlightBatches, mix.pricePerMessage, average),
  );
  return new Decimal(
    uncostedEstimate.plus(spend.actualCost.toString()).toDecimalPlaces(MONEY_DECIMALS, Decimal.ROUND_HALF_UP),
  );
}

/** `messages` at the average estimate of these batches' recipients (each at its country's price). */
function priced(
  messages: number,
  batches: CountryRecipients[],
  pricePerMessage: Map<string, Decimal>,
  fallback: Decimal,
): Decimal {
  if (messages === 0) {
    return new Exact(0);
  }
  const recipients = batches.reduce((sum, batch) => sum + batch.recipients, 0);
  if (recipients === 0) {
    return fallback.times(messages);
  }
  const cost = batches.reduce((sum, batch) => {
    const price = batch.country === null ? undefined : pricePerMessage.get(batch.country);
    return sum.plus((price ? new Exact(price.toString()) : fallback).times(batch.recipients));
  }, new Exact(0));
  return cost.times(messages).div(recipients);
}
