import { toMoney } from '../common/graphql/money-view';
import type { RecipientValidationResult } from '../messaging/recipient-validator';
import { Encoding } from '../domain/encoding.enum';
import type { PersonalizedRecipients } from '../recipient-lists/personalized-recipients';
import { Quote, SegmentDistribution } from './models/quote.model';
import type { CostEstimate, PersonalizedEstimate, TextAnalysis } from './pricing.types';

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
    recipients: recipients.valid.phones.length,
    rejectedRecipients: recipients.rejected,
    perCountry: estimate.perCountry.map((entry) => ({
      country: entry.country,
      recipients: entry.recipients,
      pricePerSegment: toMoney(entry.pricePerSegment, currency),
      cost: toMoney(entry.cost, currency),
      maxPricePerSegment: toMoney(entry.maxPricePerSegment, currency),
      worstCaseCost: toMoney(entry.worstCaseCost, currency),
    })),
    totalCost: toMoney(estimate.totalCost, currency),
    worstCaseTotalCost: toMoney(estimate.worstCaseTotalCost, currency),
    assumedTimeZoneRecipients,
    distribution:
      recipients.valid.phones.length === 0
        ? []
        : [{ encoding: analysis.encoding, segments: analysis.segments, recipients: recipients.valid.phones.length }],
    distinctTexts: 1,
    emptyFields: [],
  };
}

/** The quote of a list: per-text counts summed up (see Quote's description). */
export function toPersonalizedQuote(
  template: string,
  rendered: PersonalizedRecipients,
  estimate: PersonalizedEstimate,
  assumedTimeZoneRecipients = 0,
): Quote {
  const { currency } = estimate;
  // Texts whose every recipient was left out (suppressed) are not sent.
  const texts = rendered.texts.filter((text) => text.recipients > 0);
  const distribution = new Map<string, SegmentDistribution>();
  let characters = 0;
  for (const text of texts) {
    const key = `${text.encoding}:${text.segments}`;
    const entry = distribution.get(key) ?? { encoding: text.encoding, segments: text.segments, recipients: 0 };
    entry.recipients += text.recipients;
    distribution.set(key, entry);
    characters = Math.max(characters, text.characters);
  }
  const entries = [...distribution.values()].sort((a, b) =>
    a.encoding === b.encoding ? a.segments - b.segments : a.encoding < b.encoding ? -1 : 1,
  );
  const unicode = new Set<string>();
  for (const text of texts) {
    for (const character of text.unicodeCharacters) {
      if (unicode.size < 100) {
        unicode.add(character);
      }
    }
  }
  return {
    encoding: entries.some((e) => e.encoding === Encoding.UCS2) ? Encoding.UCS2 : Encoding.GSM7,
    characters,
    segments: Math.max(0, ...entries.map((e) => e.segments)),
    text: template,
    unicodeCharacters: [...unicode],
    smartEncodingSavedSegments: 0,
    recipients: rendered.phones.length,
    rejectedRecipients: rendered.rejected.slice(0, 1_000),
    perCountry: estimate.perCountry.map((entry) => ({
      country: entry.country,
      recipients: entry.recipients,
      segments: entry.segments,
      pricePerSegment: toMoney(entry.pricePerSegment, currency),
      cost: toMoney(entry.cost, currency),
      maxPricePerSegment: toMoney(entry.maxPricePerSegment, currency),
      worstCaseCost: toMoney(entry.worstCaseCost, currency),
    })),
    totalCost: toMoney(estimate.totalCost, currency),
    worstCaseTotalCost: toMoney(estimate.worstCaseTotalCost, currency),
    assumedTimeZoneRecipients,
    distribution: entries,
    distinctTexts: texts.length,
    emptyFields: rendered.emptyFields,
  };
}
