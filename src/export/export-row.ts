import Decimal from 'decimal.js';
import { ExportedCampaign, ExportedMessageRow } from '../persistence/message-export.repository';
import { Encoding } from '../domain/encoding.enum';
import { countSegments } from '../pricing/segment-counter';
import { describePlivoErrorCode } from '../sms-gateway/plivo-status.mapper';

/** One recipient in an export: the same field names in CSV (header) and NDJSON (keys). */
export interface ExportRow {
  messageId: string;
  to: string;
  country: string | null;
  status: string;
  errorCode: string | null;
  errorMeaning: string | null;
  segments: number;
  encoding: string;
  estimatedCost: string | null;
  actualCost: string | null;
  currency: string;
  submittedAt: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  providerMessageId: string | null;
}

export const EXPORT_COLUMNS: ReadonlyArray<keyof ExportRow> = [
  'messageId',
  'to',
  'country',
  'status',
  'errorCode',
  'errorMeaning',
  'segments',
  'encoding',
  'estimatedCost',
  'actualCost',
  'currency',
  'submittedAt',
  'sentAt',
  'deliveredAt',
  'providerMessageId',
];

/**
 * Maps stored rows to export rows. Per-country estimates and error meanings are computed once per
 * distinct value, not per row: an export of a million rows maps each in about a microsecond.
 */
export class ExportRowMapper {
  private readonly estimateByCountry = new Map<string, string>();
  private readonly priceByCountry = new Map<string, Decimal>();
  private readonly meaningByCode = new Map<string, string | null>();
  // Rendered texts of a list campaign, counted once each (bounded: cleared when it grows large).
  private readonly countByText = new Map<string, { segments: number; encoding: string }>();

  constructor(private readonly campaign: ExportedCampaign) {
    for (const { country, pricePerSegment } of campaign.estimatedCostByCountry ?? []) {
      this.estimateByCountry.set(country, new Decimal(pricePerSegment).times(campaign.segmentsPerMessage).toFixed(5));
      this.priceByCountry.set(country, new Decimal(pricePerSegment));
    }
  }

  /** `text`: the message's own rendered text (list campaigns), else the campaign's figures apply. */
  map(row: ExportedMessageRow, text?: string): ExportRow {
    const own = text === undefined ? undefined : this.count(text);
    const price = own && row.country !== null ? this.priceByCountry.get(row.country) : undefined;
    return {
      messageId: row.id,
      to: row.to,
      country: row.country,
      status: row.status,
      errorCode: row.errorCode,
      errorMeaning: this.meaning(row.errorCode),
      segments: row.units ?? own?.segments ?? this.campaign.segmentsPerMessage,
      encoding: own?.encoding ?? this.campaign.encoding,
      estimatedCost: own
        ? (price?.times(own.segments).toFixed(5) ?? null)
        : row.country === null
          ? null
          : (this.estimateByCountry.get(row.country) ?? null),
      actualCost: row.amount,
      currency: this.campaign.currency,
      submittedAt: row.submittedAt,
      sentAt: row.sentAt,
      deliveredAt: row.deliveredAt,
      providerMessageId: row.providerMessageId,
    };
  }

  private count(text: string): { segments: number; encoding: string } {
    let counted = this.countByText.get(text);
    if (!counted) {
      // The stored text is what was sent (already smart-encoded when asked): counted as it is.
      const count = countSegments(text, { smartEncoding: false });
      counted = { segments: count.segments, encoding: count.encoding === 'UCS2' ? Encoding.UCS2 : Encoding.GSM7 };
      if (this.countByText.size >= 10_000) {
        this.countByText.clear();
      }
      this.countByText.set(text, counted);
    }
    return counted;
  }

  private meaning(code: string | null): string | null {
    if (code === null) {
      return null;
    }
    let meaning = this.meaningByCode.get(code);
    if (meaning === undefined) {
      meaning = describePlivoErrorCode(code)?.reason ?? null;
      this.meaningByCode.set(code, meaning);
    }
    return meaning;
  }
}
