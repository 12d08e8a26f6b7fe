import { Injectable } from '@nestjs/common';
import { UserInputError } from '../common/errors/domain-error';
import { Clock } from '../common/time/clock';
import { Encoding } from '../domain/encoding.enum';
import {
  RecipientListEntry,
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
    const result: PersonalizedRecipients = {
      list,
      template,
      phones: [],
      countries: [],
      textIndexes: [],
      texts: [],
      rejected: [],
      perCountrySegments: new Map(),
    };
    // Rendered text → index in result.texts, or the reason it cannot be sent.
    const seen = new Map<string, number | string>();
    // The values of the fields the template reads → the rendered text, or the render error.
    const renders = new Map<string, string | TemplateRenderError>();
    const read = template.fields.map((field) => (field === list.phoneColumn ? -1 : list.fields.indexOf(field)));
    let sliceStart = performance.now();
    for (let from = 0; from < list.validCount; from += PAGE) {
      const entries = await this.lists.entries(list.id, from, PAGE);
      for (const entry of entries) {
        if (performance.now() - sliceStart > SLICE_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
        }
        const key = read.map((i) => (i < 0 ? entry.phone : (entry.values[i] ?? ''))).join(FIELD_SEPARATOR);
        let rendered = renders.get(key);
        if (rendered === undefined) {
          rendered = renderOne(template, list, entry);
          if (renders.size < RENDERS_REMEMBERED) {
            renders.set(key, rendered);
          }
        }
        if (rendered instanceof TemplateRenderError) {
          result.rejected.push({ input: entry.phone, reason: `row ${entry.row}: text: ${rendered.message}` });
          continue;
        }
        let known = seen.get(rendered);
        if (known === undefined) {
          known = this.count(rendered, smartEncoding, result.texts);
          seen.set(rendered, known);
        }
        if (typeof known === 'string') {
          result.rejected.push({ input: entry.phone, reason: `row ${entry.row}: text: ${known}` });
          continue;
        }
        const distinct = result.texts[known];
        distinct.recipients++;
        result.phones.push(entry.phone);
        result.countries.push(entry.country);
        result.textIndexes.push(known);
        let bySegments = result.perCountrySegments.get(entry.country);
        if (!bySegments) {
          bySegments = new Map();
          result.perCountrySegments.set(entry.country, bySegments);
        }
        bySegments.set(distinct.segments, (bySegments.get(distinct.segments) ?? 0) + 1);
      }
    }
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

/** One entry's text, or why it cannot be rendered. */
function renderOne(
  template: MessageTemplate,
  list: RecipientListRecord,
  entry: RecipientListEntry,
): string | TemplateRenderError {
  const values: Record<string, string> = { [list.phoneColumn]: entry.phone };
  for (let i = 0; i < list.fields.length; i++) {
    values[list.fields[i]] = entry.values[i] ?? '';
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
