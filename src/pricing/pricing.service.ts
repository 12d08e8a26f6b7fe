import { Injectable, Optional } from '@nestjs/common';
import { UserInputError } from '../common/errors/domain-error';
import { Decimal } from '../common/money/money';
import { Encoding } from '../domain/encoding.enum';
import { SUPPRESSED_REASON } from '../consent/suppressed-recipients';
import {
  isSupportedCountry,
  RecipientValidationResult,
  validateRecipients,
  ValidRecipients,
} from '../messaging/recipient-validator';
import { placeRecipients } from '../quiet-hours/recipient-placement';
import { calculateCost, UnknownCountryPriceError } from './cost-calculator';
import { checkMessageLength } from './message-length';
import { Quote } from './models/quote.model';
import { CountryRate, PriceCatalogService } from './price-catalog.service';
import { PersonalizedRecipients, PersonalizedRecipientsService } from '../recipient-lists/personalized-recipients';
import { toPersonalizedQuote, toQuote } from './quote.mapper';
import type { CostEstimate, PersonalizedEstimate, QuoteRequest, TextAnalysis } from './pricing.types';
import { countSegments, SegmentCount, TextTooLongToCountError } from './segment-counter';

export type {
  CostEstimate,
  CountryCostEstimate,
  PersonalizedEstimate,
  QuoteRequest,
  TextAnalysis,
} from './pricing.types';

/** Currency of an estimate without recipients (every Plivo price is in USD). */
export const DEFAULT_CURRENCY = 'USD';

/** Text analysis, cost estimates and quotes: what sendBulk and the quote query share. */
@Injectable()
export class PricingService {
  constructor(
    private readonly catalog: PriceCatalogService,
    @Optional() private readonly personalized?: PersonalizedRecipientsService,
  ) {}

  /** Encoding and segments of the text that would be sent; rejects text Plivo would refuse. */
  analyzeText(text: string, smartEncoding: boolean): TextAnalysis {
    let count: SegmentCount;
    try {
      count = countSegments(text, { smartEncoding });
    } catch (error) {
      if (error instanceof TextTooLongToCountError) {
        throw new UserInputError('text', error.message);
      }
      throw error;
    }
    const length = checkMessageLength(count);
    if (!length.ok) {
      throw new UserInputError('text', length.limit);
    }
    return {
      encoding: count.encoding === 'UCS2' ? Encoding.UCS2 : Encoding.GSM7,
      characters: count.characters,
      segments: count.segments,
      text: count.text,
      unicodeCharacters: count.unicodeCharacters,
      smartEncodingSavedSegments: count.smartEncodingSavedSegments,
    };
  }

  /** Exact cost of `segments` segments to each recipient, per country (ISO alpha-2) and in total. */
  async estimate(perCountry: Map<string, number>, segments: number): Promise<CostEstimate> {
    const entries = [...perCountry]
      .filter(([, recipients]) => recipients !== 0)
      .map(([country, recipients]): [string, number] => [country.toUpperCase(), recipients]);
    if (entries.length === 0) {
      return {
        currency: DEFAULT_CURRENCY,
        totalCost: new Decimal(0),
        worstCaseTotalCost: new Decimal(0),
        perCountry: [],
      };
    }
    try {
      const rates = await this.catalog.ratesFor(entries.map(([country]) => country));
      const costAt = (rateOf: (price: CountryRate) => Decimal) =>
        calculateCost(entries, segments, (country) => {
          const price = rates.get(country);
          return price && { rate: rateOf(price).toFixed(), currency: price.currency };
        });
      const cost = costAt((price) => price.rate);
      const worstCase = costAt((price) => price.maxRate);
      return {
        currency: cost.currency ?? DEFAULT_CURRENCY,
        totalCost: cost.totalCost,
        worstCaseTotalCost: worstCase.totalCost,
        perCountry: cost.perCountry.map(({ country, recipients, pricePerSegment, cost: amount }, index) => ({
          country,
          recipients,
          pricePerSegment,
          cost: amount,
          maxPricePerSegment: worstCase.perCountry[index].pricePerSegment,
          worstCaseCost: worstCase.perCountry[index].cost,
        })),
      };
    } catch (error) {
      if (error instanceof UnknownCountryPriceError) {
        const noun = error.countries.length === 1 ? 'country' : 'countries';
        throw new UserInputError(
          'recipients',
          `no price for ${noun} ${error.countries.join(', ')} (the SMS provider has none); remove those recipients`,
          { countries: error.countries },
        );
      }
      throw error;
    }
  }

  /**
   * Cost of personalized texts: per country, the segments of every recipient's own text at the country's
   * price (`perCountrySegments`: country → segment count → recipients).
   */
  async estimatePersonalized(perCountrySegments: Map<string, Map<number, number>>): Promise<PersonalizedEstimate> {
    const segmentsPerCountry = new Map<string, number>();
    const recipientsPerCountry = new Map<string, number>();
    for (const [country, bySegments] of perCountrySegments) {
      for (const [segments, recipients] of bySegments) {
        segmentsPerCountry.set(country, (segmentsPerCountry.get(country) ?? 0) + segments * recipients);
        recipientsPerCountry.set(country, (recipientsPerCountry.get(country) ?? 0) + recipients);
      }
    }
    // One segment priced per "recipient" of this estimate: the cost is the country's segments × its price.
    const estimate = await this.estimate(segmentsPerCountry, 1);
    return {
      ...estimate,
      perCountry: estimate.perCountry.map((entry) => ({
        ...entry,
        recipients: recipientsPerCountry.get(entry.country) ?? 0,
        segments: segmentsPerCountry.get(entry.country) ?? 0,
      })),
    };
  }

  /** What sending `text` to `recipients` would cost, validated exactly as sendBulk validates it. */
  async quote(input: QuoteRequest, suppressedOf?: (phones: string[]) => Promise<Set<string>>): Promise<Quote> {
    if (input.recipientListId) {
      return this.quoteList(input, input.recipientListId, suppressedOf);
    }
    const defaultCountry = checkDefaultCountry(input.defaultCountry);
    const analysis = this.analyzeText(input.text, input.smartEncoding);
    const recipients = await validateRecipients(input.recipients, { defaultCountry });
    if (suppressedOf) {
      excludeSuppressed(recipients, await suppressedOf(recipients.valid.phones));
    }
    const estimate = await this.estimate(recipients.perCountry, analysis.segments);
    const windows = input.sendWindows;
    const assumed = windows
      ? placeRecipients(recipients.valid, windows.campaignWindow, windows.defaults, Date.now()).assumedZoneRecipients
      : 0;
    return toQuote(analysis, recipients, estimate, assumed);
  }

  private async quoteList(
    input: QuoteRequest,
    listId: string,
    suppressedOf?: (phones: string[]) => Promise<Set<string>>,
  ): Promise<Quote> {
    if (!this.personalized || !input.accountId) {
      throw new Error('quote by recipientListId needs the recipient lists module and the account');
    }
    if ((input.recipients ?? []).length > 0) {
      throw new UserInputError('recipients', 'give either recipients or recipientListId, not both');
    }
    const rendered = await this.personalized.render(input.accountId, listId, input.text, input.smartEncoding);
    if (suppressedOf) {
      excludeSuppressedRendered(rendered, await suppressedOf(rendered.phones));
    }
    const estimate = await this.estimatePersonalized(rendered.perCountrySegments);
    const windows = input.sendWindows;
    const assumed = windows
      ? placeRecipients(rendered, windows.campaignWindow, windows.defaults, Date.now()).assumedZoneRecipients
      : 0;
    return toPersonalizedQuote(input.text, rendered, estimate, assumed);
  }
}

/**
 * Suppressed recipients leave the valid list (and its per-country counts) for `rejected`, with reason
 * SUPPRESSED: they would be stored but never sent, so they cost nothing.
 */
export function excludeSuppressed(recipients: RecipientValidationResult, suppressed: ReadonlySet<string>): void {
  if (suppressed.size === 0) {
    return;
  }
  const { phones, countries } = recipients.valid;
  const kept: ValidRecipients = { phones: [], countries: [] };
  for (let i = 0; i < phones.length; i++) {
    if (suppressed.has(phones[i])) {
      recipients.rejected.push({ input: phones[i], reason: SUPPRESSED_REASON });
      recipients.perCountry.set(countries[i], (recipients.perCountry.get(countries[i]) ?? 1) - 1);
    } else {
      kept.phones.push(phones[i]);
      kept.countries.push(countries[i]);
    }
  }
  recipients.valid = kept;
  for (const [country, count] of recipients.perCountry) {
    if (count <= 0) {
      recipients.perCountry.delete(country);
    }
  }
}

/** The same for a rendered list: suppressed recipients leave it (and its counts) for `rejected`. */
export function excludeSuppressedRendered(rendered: PersonalizedRecipients, suppressed: ReadonlySet<string>): void {
  if (suppressed.size === 0) {
    return;
  }
  const phones: string[] = [];
  const countries: string[] = [];
  const textIndexes: number[] = [];
  for (let i = 0; i < rendered.phones.length; i++) {
    const phone = rendered.phones[i];
    if (!suppressed.has(phone)) {
      phones.push(phone);
      countries.push(rendered.countries[i]);
      textIndexes.push(rendered.textIndexes[i]);
      continue;
    }
    rendered.rejected.push({ input: phone, reason: SUPPRESSED_REASON });
    const text = rendered.texts[rendered.textIndexes[i]];
    text.recipients--;
    countOneLess(rendered.perCountrySegments, rendered.countries[i], text.segments);
  }
  rendered.phones = phones;
  rendered.countries = countries;
  rendered.textIndexes = textIndexes;
}

/** One recipient less of `country` whose text has `segments` segments; emptied entries leave the map. */
export function countOneLess(
  perCountrySegments: Map<string, Map<number, number>>,
  country: string,
  segments: number,
): void {
  const bySegments = perCountrySegments.get(country);
  if (!bySegments) {
    return;
  }
  const left = (bySegments.get(segments) ?? 1) - 1;
  if (left > 0) {
    bySegments.set(segments, left);
    return;
  }
  bySegments.delete(segments);
  if (bySegments.size === 0) {
    perCountrySegments.delete(country);
  }
}

/** Upper-cased default country, or undefined; rejects codes libphonenumber has no metadata for. */
export function checkDefaultCountry(defaultCountry: string | null | undefined): string | undefined {
  if (defaultCountry === null || defaultCountry === undefined) {
    return undefined;
  }
  if (!isSupportedCountry(defaultCountry)) {
    throw new UserInputError(
      'defaultCountry',
      `defaultCountry "${defaultCountry}" is not a supported ISO 3166-1 alpha-2 country code (e.g. US, GB)`,
    );
  }
  return defaultCountry.trim().toUpperCase();
}
