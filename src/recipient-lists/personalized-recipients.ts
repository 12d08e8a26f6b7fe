import { Injectable } from '@nestjs/common';
import { UserInputError } from '../common/errors/domain-error';
import { Clock } from '../common/time/clock';
import {
  RecipientListEntry,
  RecipientListEntryColumns,
  RecipientListRecord,
  RecipientListRepository,
} from '../persistence/recipient-list.repository';
import { yieldToIo } from '../common/async/yield-to-io';
import { MessageTemplate } from './message-template';
import { DistinctText, RecipientTexts } from './recipient-texts';

export type { DistinctText } from './recipient-texts';

export interface PersonalizedRecipients {
  list: RecipientListRecord;
  template: MessageTemplate;
  /** In list order: E.164, country and the index of the recipient's text in `texts`. */
  phones: string[];
  countries: string[];
  textIndexes: ArrayLike<number>;
  /** Each recipient's position in the list (its entry's key): a campaign's messages are made from it. */
  positions: Int32Array;
  texts: DistinctText[];
  /** Recipients whose text could not be sent (empty, too long), with the reason. */
  rejected: Array<{ input: string; reason: string }>;
  /** Recipients per country and segment count: what the cost is computed from. */
  perCountrySegments: Map<string, Map<number, number>>;
  /**
   * Each field the template reads that some rows leave empty (or lack), with how many, and whether every read
   * gives it a default: in template order.
   */
  emptyFields: Array<{ field: string; recipients: number; defaulted: boolean }>;
}

const PAGE = 10_000;
// Rendering and counting run on the event loop: yield this often so /health and webhooks keep answering.
const SLICE_MS = 10;

/**
 * Reads an uploaded list and renders the campaign text for each recipient: each distinct text is
 * counted (encoding, segments, Plivo's length limits) once; a recipient whose text is empty or too
 * long is rejected with that reason.
 */
@Injectable()
export class PersonalizedRecipientsService {
  constructor(
    private readonly lists: RecipientListRepository,
    private readonly clock: Clock,
  ) {}

  async render(
    accountId: string,
    listId: string,
    text: string,
    smartEncoding: boolean,
  ): Promise<PersonalizedRecipients> {
    const list = await this.lists.findReady(accountId, listId, this.clock.now());
    if (!list) {
      throw new UserInputError(
        'recipientListId',
        `no recipient list ${listId} (it may have expired: lists are kept RECIPIENT_LIST_TTL_HOURS after upload)`,
      );
    }
    const template = MessageTemplate.parse(text, [list.phoneColumn, ...list.fields]);
    // Filled by index, then cut to length: pushing onto a list of a million made V8 copy it at each growth,
    // each copy a synchronous pause (the longest turn of a 1,000,000-recipient list campaign's render). Making
    // an array of a million takes V8 25-45 ms: one per turn (the text indexes are typed, which costs nothing).
    let kept = 0;
    const phones = new Array<string>(list.validCount);
    await yieldToIo();
    const countries = new Array<string>(list.validCount);
    await yieldToIo();
    const textIndexes = new Int32Array(list.validCount);
    const positions = new Int32Array(list.validCount);
    const result: PersonalizedRecipients = {
      list,
      template,
      phones,
      countries,
      textIndexes,
      positions,
      texts: [],
      rejected: [],
      perCountrySegments: new Map(),
      emptyFields: [],
    };
    const recipientTexts = new RecipientTexts(template, list.phoneColumn, list.fields, smartEncoding);
    result.texts = recipientTexts.texts;
    // A template that reads no field of the list (the usual large campaign) reads its entries without
    // their values, column by column.
    const readsValues = recipientTexts.readsValues;
    // The fields the template reads, by their place in an entry's values (the phone column is never empty).
    const readFields = template.fields
      .map((field) => ({ field, index: list.fields.indexOf(field), recipients: 0 }))
      .filter((read) => read.index >= 0);
    // One string per country for the whole list, not one per entry.
    const countryNames = new Map<string, string>();
    let sliceStart = performance.now();
    for (let from = 0; from < list.validCount; from += PAGE) {
      const page = readsValues
        ? pageOfEntries(await this.lists.entries(list.id, from, PAGE))
        : pageOfColumns(
            await this.lists.entryColumns(list.id, from, PAGE),
            from,
            Math.min(PAGE, list.validCount - from),
          );
      for (let i = 0; i < page.phones.length; i++) {
        if (performance.now() - sliceStart > SLICE_MS) {
          await yieldToIo();
          sliceStart = performance.now();
        }
        const phone = page.phones[i];
        const values = readsValues ? page.values(i) : [];
        for (const read of readFields) {
          if ((values[read.index] ?? '') === '') {
            read.recipients++;
          }
        }
        const known = recipientTexts.textOf(phone, values);
        if (typeof known === 'string') {
          result.rejected.push({ input: phone, reason: `row ${page.row(i)}: text: ${known}` });
          continue;
        }
        const distinct = result.texts[known];
        let country = countryNames.get(page.countries[i]);
        if (country === undefined) {
          country = page.countries[i];
          countryNames.set(country, country);
        }
        result.phones[kept] = phone;
        result.countries[kept] = country;
        positions[kept] = page.position(i);
        textIndexes[kept++] = known;
        let bySegments = result.perCountrySegments.get(country);
        if (!bySegments) {
          bySegments = new Map();
          result.perCountrySegments.set(country, bySegments);
        }
        bySegments.set(distinct.segments, (bySegments.get(distinct.segments) ?? 0) + 1);
      }
    }
    result.phones.length = kept;
    result.countries.length = kept;
    result.textIndexes = textIndexes.subarray(0, kept);
    result.positions = positions.subarray(0, kept);
    result.emptyFields = readFields
      .filter((read) => read.recipients > 0)
      .map(({ field, recipients }) => ({ field, recipients, defaulted: template.defaultedFields.has(field) }));
    return result;
  }
}

/** A page of entries as the loop reads it: by index, the row number and values only when asked. */
interface EntryPage {
  phones: string[];
  countries: string[];
  row(index: number): number;
  position(index: number): number;
  values(index: number): string[];
}

function pageOfEntries(entries: RecipientListEntry[]): EntryPage {
  return {
    phones: entries.map((entry) => entry.phone),
    countries: entries.map((entry) => entry.country),
    row: (index) => entries[index].row,
    position: (index) => entries[index].position,
    values: (index) => entries[index].values,
  };
}

/** `expected` entries from position `from` on when none was erased: their positions are then known. */
function pageOfColumns(columns: RecipientListEntryColumns, from: number, expected: number): EntryPage {
  let rows: string[] | undefined;
  let positions: string[] | undefined;
  const contiguous = columns.phones.length === expected;
  return {
    phones: columns.phones,
    countries: columns.countries,
    row: (index) => Number((rows ??= columns.rows.split(','))[index]),
    position: (index) => (contiguous ? from + index : Number((positions ??= columns.positions.split(','))[index])),
    values: () => [],
  };
}
