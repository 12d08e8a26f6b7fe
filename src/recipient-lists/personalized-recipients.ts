import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { UserInputError } from '../common/errors/domain-error';
import { Clock } from '../common/time/clock';
import { Encoding } from '../domain/encoding.enum';
import {
  RecipientListEntry,
  RecipientListEntryColumns,
  RecipientListRecord,
  RecipientListRepository,
} from '../persistence/recipient-list.repository';
import { checkMessageLength } from '../pricing/message-length';
import { countSegments, TextTooLongToCountError } from '../pricing/segment-counter';
import { MessageTemplate, TemplateRenderError } from './message-template';

/** One distinct rendered text, counted once however many recipients share it. */
export interface DistinctText {
  /** What is sent (smart-encoded when asked). */
  text: string;
  encoding: Encoding;
  segments: number;
  characters: number;
  /** Characters forcing UCS-2 (empty for GSM-7). */
  unicodeCharacters: string[];
  recipients: number;
}

export interface PersonalizedRecipients {
  list: RecipientListRecord;
  template: MessageTemplate;
  /** In list order: E.164, country and the index of the recipient's text in `texts`. */
  phones: string[];
  countries: string[];
  textIndexes: number[];
  texts: DistinctText[];
  /** Recipients whose text could not be sent (empty, too long), with the reason. */
  rejected: Array<{ input: string; reason: string }>;
  /** Recipients per country and segment count: what the cost is computed from. */
  perCountrySegments: Map<string, Map<number, number>>;
}

const PAGE = 10_000;
// Rendering and counting run on the event loop: yield this often so /health and webhooks keep answering.
const SLICE_MS = 10;
// Renders remembered per distinct combination of the fields the template reads (a text rarely reads a
// unique field; when it does, the memory stops growing here and the rest is rendered one by one).
const RENDERS_REMEMBERED = 100_000;
const FIELD_SEPARATOR = '\u0000';

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
    // an array of a million takes V8 25-30 ms: one per turn.
    let kept = 0;
    const phones = new Array<string>(list.validCount);
    await yieldToEventLoop();
    const countries = new Array<string>(list.validCount);
    await yieldToEventLoop();
    const textIndexes = new Array<number>(list.validCount);
    const result: PersonalizedRecipients = {
      list,
      template,
      phones,
      countries,
      textIndexes,
      texts: [],
      rejected: [],
      perCountrySegments: new Map(),
    };
    // Rendered text → index in result.texts, or the reason it cannot be sent.
    const seen = new Map<string, number | string>();
    // The values of the fields the template reads → the rendered text, or the render error.
    const renders = new Map<string, string | TemplateRenderError>();
    const read = template.fields.map((field) => (field === list.phoneColumn ? -1 : list.fields.indexOf(field)));
    // A template that reads no field of the list (the usual large campaign) reads its entries without
    // their values, column by column; its text is the same for every recipient.
    const readsValues = read.some((i) => i >= 0);
    const sameText = read.length === 0 ? renderOne(template, list, '', []) : undefined;
    // One string per country for the whole list, not one per entry.
    const countryNames = new Map<string, string>();
    let sliceStart = performance.now();
    for (let from = 0; from < list.validCount; from += PAGE) {
      const page = readsValues
        ? pageOfEntries(await this.lists.entries(list.id, from, PAGE))
        : pageOfColumns(await this.lists.entryColumns(list.id, from, PAGE));
      for (let i = 0; i < page.phones.length; i++) {
        if (performance.now() - sliceStart > SLICE_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
        }
        const phone = page.phones[i];
        let rendered = sameText;
        if (rendered === undefined) {
          const values = page.values(i);
          const key = read.map((field) => (field < 0 ? phone : (values[field] ?? ''))).join(FIELD_SEPARATOR);
          rendered = renders.get(key);
          if (rendered === undefined) {
            rendered = renderOne(template, list, phone, values);
            if (renders.size < RENDERS_REMEMBERED) {
              renders.set(key, rendered);
            }
          }
        }
        if (rendered instanceof TemplateRenderError) {
          result.rejected.push({ input: phone, reason: `row ${page.row(i)}: text: ${rendered.message}` });
          continue;
        }
        let known = seen.get(rendered);
        if (known === undefined) {
          known = this.count(rendered, smartEncoding, result.texts);
          seen.set(rendered, known);
        }
        if (typeof known === 'string') {
          result.rejected.push({ input: phone, reason: `row ${page.row(i)}: text: ${known}` });
          continue;
        }
        const distinct = result.texts[known];
        distinct.recipients++;
        let country = countryNames.get(page.countries[i]);
        if (country === undefined) {
          country = page.countries[i];
          countryNames.set(country, country);
        }
        result.phones[kept] = phone;
        result.countries[kept] = country;
        result.textIndexes[kept++] = known;
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
    result.textIndexes.length = kept;
    return result;
  }

  /** Counts a new distinct text: its index in `texts`, or why it cannot be sent. */
  private count(rendered: string, smartEncoding: boolean, texts: DistinctText[]): number | string {
    try {
      const count = countSegments(rendered, { smartEncoding });
      const length = checkMessageLength(count);
      if (!length.ok) {
        return length.limit;
      }
      texts.push({
        text: count.text,
        encoding: count.encoding === 'UCS2' ? Encoding.UCS2 : Encoding.GSM7,
        segments: count.segments,
        characters: count.characters,
        unicodeCharacters: count.unicodeCharacters,
        recipients: 0,
      });
      return texts.length - 1;
    } catch (error) {
      if (error instanceof TextTooLongToCountError) {
        return error.message;
      }
      throw error;
    }
  }
}

/** A page of entries as the loop reads it: by index, the row number and values only when asked. */
interface EntryPage {
  phones: string[];
  countries: string[];
  row(index: number): number;
  values(index: number): string[];
}

function pageOfEntries(entries: RecipientListEntry[]): EntryPage {
  return {
    phones: entries.map((entry) => entry.phone),
    countries: entries.map((entry) => entry.country),
    row: (index) => entries[index].row,
    values: (index) => entries[index].values,
  };
}

function pageOfColumns(columns: RecipientListEntryColumns): EntryPage {
  let rows: string[] | undefined;
  return {
    phones: columns.phones,
    countries: columns.countries,
    row: (index) => Number((rows ??= columns.rows.split(','))[index]),
    values: () => [],
  };
}

/** One entry's text, or why it cannot be rendered. */
function renderOne(
  template: MessageTemplate,
  list: RecipientListRecord,
  phone: string,
  entryValues: readonly string[],
): string | TemplateRenderError {
  const values: Record<string, string> = { [list.phoneColumn]: phone };
  for (let i = 0; i < list.fields.length; i++) {
    values[list.fields[i]] = entryValues[i] ?? '';
  }
  try {
    return template.render(values);
  } catch (error) {
    if (error instanceof TemplateRenderError) {
      return error;
    }
    throw error;
  }
}
