import { randomUUID } from 'node:crypto';
import { SUPPRESSED_REASON } from '../consent/suppressed-recipients';
import { RejectedRecipient } from '../domain/campaign.record';
import { BatchFiller } from '../messaging/batch-planner';
import type { CampaignMessageSink } from '../persistence/campaign.repository';
import type { RecipientListEntryBatch } from '../persistence/recipient-list-entry.repository';
import type { RecipientPlacer } from '../quiet-hours/recipient-placement';
import type { DistinctText, RecipientTexts } from '../recipient-lists/recipient-texts';
import { yieldToIo } from '../common/async/yield-to-io';

// Rendering, placing and batching run on the event loop: yield this often so /health and webhooks keep answering.
const SLICE_MS = 10;
// A batch's key is its text and its placement group in one number: groups are fewer than recipients (at
// most 1,000,000 < 2^21), and texts x 2^21 stays an exact integer.
const GROUPS_BOUND = 2 ** 21;

export interface UploadedRecipientsTarget {
  texts: RecipientTexts;
  placer: RecipientPlacer;
  batches: BatchFiller;
  messages: CampaignMessageSink;
  /** The suppressed among a batch's numbers (looked up in the campaign's transaction). */
  suppressedAmong: (phones: string[]) => Promise<Set<string>>;
  /** Rejections kept (the count covers them all). */
  rejectionsKept: number;
}

/**
 * Stores the recipients of a campaign that arrives with its list (POST /api/campaigns) as messages, a batch of
 * parsed entries at a time: each entry's text rendered and counted, the suppressed stored but never sent,
 * the rest placed (country, time zone) and assigned to batches that share one text and one placement.
 * What only the whole list tells (the estimate, the budget) is the caller's, from the totals kept here.
 */
export class UploadedRecipientsWriter {
  /** The ids of the batches opened so far, and their texts, indexed by sequence. */
  readonly batchIds: string[] = [];
  readonly batchTexts: string[] = [];
  /** Recipients to send per country and segment count: what the cost is computed from. */
  readonly perCountrySegments = new Map<string, Map<number, number>>();
  /** Recipients whose text could not be sent, and the suppressed: the first `rejectionsKept`. */
  readonly rejected: RejectedRecipient[] = [];
  rejectedCount = 0;
  suppressedCount = 0;
  /** Messages stored (the suppressed included). */
  storedCount = 0;
  constructor(private readonly target: UploadedRecipientsTarget) {}

  /** Stores one batch of entries (RecipientListIngest writes them one at a time, in row order). */
  async write(entries: RecipientListEntryBatch): Promise<void> {
    const phones = entries.phones.split(',');
    const countries = entries.countries.split(',');
    const values = this.target.texts.readsValues ? (JSON.parse(entries.values) as string[][]) : null;
    let rows: string[] | undefined;
    const rowOf = (i: number): number => entries.rowBase + Number((rows ??= entries.rows.split(','))[i]);
    const suppressed = await this.target.suppressedAmong(phones);
    const kept: { phones: string[]; countries: string[]; batchSequences: number[] } = {
      phones: [],
      countries: [],
      batchSequences: [],
    };
    let sliceStart = performance.now();
    for (let i = 0; i < phones.length; i++) {
      if (performance.now() - sliceStart > SLICE_MS) {
        await yieldToIo();
        sliceStart = performance.now();
      }
      const phone = phones[i];
      const textIndex = this.target.texts.textOf(phone, values ? values[i] : []);
      if (typeof textIndex === 'string') {
        this.reject(phone, `row ${rowOf(i)}: text: ${textIndex}`);
        continue;
      }
      // Placed even when suppressed, as a whole list is: the same groups, the same assumed zones.
      const group = this.target.placer.groupOf(phone, countries[i]);
      kept.phones.push(phone);
      kept.countries.push(countries[i]);
      if (suppressed.size > 0 && suppressed.has(phone)) {
        kept.batchSequences.push(-1);
        this.suppressedCount++;
        this.reject(phone, SUPPRESSED_REASON);
        continue;
      }
      const sequence = this.target.batches.add(textIndex * GROUPS_BOUND + group, group);
      if (sequence === this.batchIds.length) {
        this.batchIds.push(randomUUID());
        this.batchTexts.push(this.target.texts.texts[textIndex].text);
      }
      kept.batchSequences.push(sequence);
      this.count(countries[i], this.target.texts.texts[textIndex].segments);
    }
    if (kept.phones.length > 0) {
      await this.target.messages.add(kept, this.batchIds);
      this.storedCount += kept.phones.length;
    }
  }

  /** Whether the texts read the entries' field values. */
  get readsValues(): boolean {
    return this.target.texts.readsValues;
  }

  /** Every distinct text so far (RecipientTexts). */
  get distinctTexts(): readonly DistinctText[] {
    return this.target.texts.texts;
  }

  /** Recipients that will be sent: stored and not suppressed. */
  get sendableCount(): number {
    return this.storedCount - this.suppressedCount;
  }

  private count(country: string, segments: number): void {
    let bySegments = this.perCountrySegments.get(country);
    if (!bySegments) {
      bySegments = new Map();
      this.perCountrySegments.set(country, bySegments);
    }
    bySegments.set(segments, (bySegments.get(segments) ?? 0) + 1);
  }

  private reject(input: string, reason: string): void {
    this.rejectedCount++;
    if (this.rejected.length < this.target.rejectionsKept) {
      this.rejected.push({ input, reason });
    }
  }
}
