import type { SendWindow } from '../quiet-hours/send-window';
import type { SendWindowDefaults } from '../quiet-hours/send-window-defaults';
import type { Decimal } from '../common/money/money';
import type { Encoding } from '../domain/encoding.enum';

// The shapes PricingService hands to its callers (campaigns, the quote query); re-exported from pricing.service.

export interface TextAnalysis {
  encoding: Encoding;
  /** GSM-7 septets (extension characters count 2), or UCS-2 graphemes. */
  characters: number;
  /** Segments per message. */
  segments: number;
  /** The text that would be sent: smart-encoded when asked. */
  text: string;
  /** Distinct characters forcing UCS-2, in order of first appearance. */
  unicodeCharacters: string[];
  /** Segments saved by smart encoding; negative when it lengthens a message that stays UCS-2. */
  smartEncodingSavedSegments: number;
}

export interface CountryCostEstimate {
  country: string;
  recipients: number;
  pricePerSegment: Decimal;
  /** recipients × segments × pricePerSegment, exact. */
  cost: Decimal;
  /** The dearest of the country's network rates: Plivo bills each number at its network's. */
  maxPricePerSegment: Decimal;
  /** recipients × segments × maxPricePerSegment: what the recipients could cost at most. */
  worstCaseCost: Decimal;
}

export interface CostEstimate {
  currency: string;
  /** Exact; round only for display. */
  totalCost: Decimal;
  /** Every recipient at the dearest network rate of their country. */
  worstCaseTotalCost: Decimal;
  perCountry: CountryCostEstimate[];
}

export interface PersonalizedEstimate extends CostEstimate {
  /** Per country: recipients, and the segments of all their texts together. */
  perCountry: Array<CountryCostEstimate & { segments: number }>;
}

export interface QuoteRequest {
  text: string;
  recipients: string[];
  /** An uploaded list instead of `recipients` (with the account it must belong to). */
  recipientListId?: string | null;
  accountId?: string;
  /** The request's, else the account's (as sendBulk: the caller reads the account's settings). */
  defaultCountry?: string | null;
  smartEncoding: boolean;
  /** Where a send window applies (the campaign's own, else the defaults), recipients' zones are looked up. */
  sendWindows?: { campaignWindow: SendWindow | null; defaults: SendWindowDefaults };
}
