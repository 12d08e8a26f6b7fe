import Decimal from 'decimal.js';
import { Encoding } from '../domain/encoding.enum';
import { knownErrorMeanings } from '../domain/message-error-code';
import { ExportedCampaign, ExportLookups } from '../persistence/message-export.repository';
import { countSegments } from '../pricing/segment-counter';

const ERROR_MEANINGS = knownErrorMeanings();

// Rendered texts of a list campaign, counted once each (bounded: cleared when it grows large).
const COUNTED_TEXTS = 10_000;

/**
 * What the database needs to write a campaign's export lines: the error meanings, the estimated cost
 * per country and segment count (the quote's price per segment × segments, to 5 decimals), and for a
 * list campaign the segments and encoding of each batch's rendered text, counted here with the
 * service's own segment counter.
 */
export class ExportLookupBuilder {
  private readonly priceByCountry = new Map<string, Decimal>();
  private readonly countByText = new Map<string, { segments: number; encoding: string }>();
  // The lookups of a page without batch texts (every page of a campaign not sent from a list).
  private campaignLookups: ExportLookups | undefined;

  constructor(private readonly campaign: ExportedCampaign) {
    for (const { country, pricePerSegment } of campaign.estimatedCostByCountry ?? []) {
      this.priceByCountry.set(country, new Decimal(pricePerSegment));
    }
  }

  /** `batchTexts`: the rendered text of each batch of the page's messages (list campaigns only). */
  forPage(batchTexts: ReadonlyMap<string, string> = new Map()): ExportLookups {
    if (batchTexts.size === 0) {
      this.campaignLookups ??= this.build(batchTexts);
      return this.campaignLookups;
    }
    return this.build(batchTexts);
  }

  private build(batchTexts: ReadonlyMap<string, string>): ExportLookups {
    const batches = [...batchTexts].map(([id, text]) => ({ id, ...this.count(text) }));
    const segmentCounts = new Set([this.campaign.segmentsPerMessage, ...batches.map((batch) => batch.segments)]);
    const estimates = [...segmentCounts].flatMap((segments) =>
      [...this.priceByCountry].map(([country, price]) => ({
        country,
        segments,
        cost: price.times(segments).toFixed(5),
      })),
    );
    return {
      segmentsPerMessage: this.campaign.segmentsPerMessage,
      encoding: this.campaign.encoding,
      currency: this.campaign.currency,
      errorMeanings: ERROR_MEANINGS,
      estimates,
      batches,
    };
  }

  private count(text: string): { segments: number; encoding: string } {
    let counted = this.countByText.get(text);
    if (!counted) {
      // The stored text is what was sent (already smart-encoded when asked): counted as it is.
      const count = countSegments(text, { smartEncoding: false });
      counted = { segments: count.segments, encoding: count.encoding === 'UCS2' ? Encoding.UCS2 : Encoding.GSM7 };
      if (this.countByText.size >= COUNTED_TEXTS) {
        this.countByText.clear();
      }
      this.countByText.set(text, counted);
    }
    return counted;
  }
}
