import { Encoding } from '../domain/encoding.enum';
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

// Renders remembered per distinct combination of the fields the template reads (a text rarely reads a
// unique field; when it does, the memory stops growing here and the rest is rendered one by one).
const RENDERS_REMEMBERED = 100_000;
const FIELD_SEPARATOR = '\u0000';

/**
 * The campaign text of each recipient of a list (an uploaded one, or one arriving with its campaign): the
 * template rendered over the recipient's fields, and each distinct text counted (encoding, segments, Plivo's
 * length limits) once. `fields` are the list's columns other than the phone's, in the order of each
 * recipient's values.
 */
export class RecipientTexts {
  /** Every distinct text so far, in order of first appearance. */
  readonly texts: DistinctText[] = [];
  // Rendered text → index in texts, or the reason it cannot be sent.
  private readonly seen = new Map<string, number | string>();
  // The values of the fields the template reads → the rendered text, or the render error.
  private readonly renders = new Map<string, string | TemplateRenderError>();
  // Per field the template reads: its index in a recipient's values, -1 for the phone.
  private readonly read: number[];
  private readonly sameText: string | TemplateRenderError | undefined;

  constructor(
    private readonly template: MessageTemplate,
    private readonly phoneColumn: string,
    private readonly fields: readonly string[],
    private readonly smartEncoding: boolean,
  ) {
    this.read = template.fields.map((field) => (field === phoneColumn ? -1 : fields.indexOf(field)));
    // A template that reads no field (the usual large campaign) gives every recipient the same text.
    this.sameText = this.read.length === 0 ? this.renderOne('', []) : undefined;
  }

  /** Whether a recipient's text depends on its values (else they need not be read). */
  get readsValues(): boolean {
    return this.read.some((i) => i >= 0);
  }

  /**
   * The index in `texts` of the recipient's text (its count of recipients goes up), or why it cannot be
   * sent: a render error, an empty text, a text over Plivo's limits.
   */
  textOf(phone: string, values: readonly string[]): number | string {
    let rendered = this.sameText;
    if (rendered === undefined) {
      const key = this.read.map((field) => (field < 0 ? phone : (values[field] ?? ''))).join(FIELD_SEPARATOR);
      rendered = this.renders.get(key);
      if (rendered === undefined) {
        rendered = this.renderOne(phone, values);
        if (this.renders.size < RENDERS_REMEMBERED) {
          this.renders.set(key, rendered);
        }
      }
    }
    if (rendered instanceof TemplateRenderError) {
      return rendered.message;
    }
    let known = this.seen.get(rendered);
    if (known === undefined) {
      known = this.count(rendered);
      this.seen.set(rendered, known);
    }
    if (typeof known === 'number') {
      this.texts[known].recipients++;
    }
    return known;
  }

  /** Counts a new distinct text: its index in `texts`, or why it cannot be sent. */
  private count(rendered: string): number | string {
    try {
      const count = countSegments(rendered, { smartEncoding: this.smartEncoding });
      const length = checkMessageLength(count);
      if (!length.ok) {
        return length.limit;
      }
      this.texts.push({
        text: count.text,
        encoding: count.encoding === 'UCS2' ? Encoding.UCS2 : Encoding.GSM7,
        segments: count.segments,
        characters: count.characters,
        unicodeCharacters: count.unicodeCharacters,
        recipients: 0,
      });
      return this.texts.length - 1;
    } catch (error) {
      if (error instanceof TextTooLongToCountError) {
        return error.message;
      }
      throw error;
    }
  }

  /** One recipient's text, or why it cannot be rendered. */
  private renderOne(phone: string, entryValues: readonly string[]): string | TemplateRenderError {
    const values: Record<string, string> = { [this.phoneColumn]: phone };
    for (let i = 0; i < this.fields.length; i++) {
      values[this.fields[i]] = entryValues[i] ?? '';
    }
    try {
      return this.template.render(values);
    } catch (error) {
      if (error instanceof TemplateRenderError) {
        return error;
      }
      throw error;
    }
  }
}
