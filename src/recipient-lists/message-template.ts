import { Liquid, LiquidError, Output, Template, toValueSync, TypeGuards } from 'liquidjs';
import { UserInputError } from '../common/errors/domain-error';

// LiquidJS (Shopify's Liquid, in TypeScript): a logic-less template language with no way to run code,
// variables that resolve to plain strings only (ownPropertyOnly), and limits on parse size and memory.
// Tags that read files (include, render, layout) are removed, so a template can only see its recipient,
// and so are loops (a row has no lists to loop over; `(1..100000000)` would only burn CPU): without them
// a render is bounded by the template's length. The render limit is a generous safety net, not a budget
// (a tight one fails recipients at random on a busy machine).
const engine = new Liquid({
  strictFilters: true,
  ownPropertyOnly: true,
  parseLimit: 10_000,
  renderLimit: 2_000,
  memoryLimit: 1_000_000,
  cache: false,
});
for (const tag of ['include', 'render', 'layout', 'block', 'for', 'tablerow']) {
  delete (engine.tags as Record<string, unknown>)[tag];
}

const PLACEHOLDER = /{{|{%/;

/** A campaign text parsed once and rendered per recipient. */
export class MessageTemplate {
  private constructor(
    private readonly template: Template[] | null,
    private readonly source: string,
    /** The fields the template reads, in order of first use. */
    readonly fields: string[],
    /** The fields the template reads only with a default (`{{ name | default: "there" }}`). */
    readonly defaultedFields: ReadonlySet<string>,
  ) {}

  /** True when the text has no placeholder: every recipient gets the same text. */
  get isStatic(): boolean {
    return this.template === null;
  }

  /**
   * Parses `text` and checks that it reads only `fields`. A syntax error or an unknown field is a
   * BAD_USER_INPUT on `text` naming the field and its line and column.
   */
  static parse(text: string, fields: readonly string[]): MessageTemplate {
    if (!PLACEHOLDER.test(text)) {
      return new MessageTemplate(null, text, [], new Set());
    }
    let template: Template[];
    try {
      template = engine.parse(text);
    } catch (error) {
      throw new UserInputError('text', `template: ${describeError(error)}`);
    }
    const known = new Set(fields);
    const used: string[] = [];
    const analysis = engine.analyzeSync(template);
    for (const [name, locations] of Object.entries(analysis.globals)) {
      if (!known.has(name)) {
        const { row, col } = locations[0].location;
        throw new UserInputError(
          'text',
          `template: unknown field "${name}" at line ${row}, column ${col}; the list has ${fields.map((f) => `"${f}"`).join(', ')}${bracketHint(name, fields)}`,
          { templateField: name, line: row, column: col },
        );
      }
      used.push(name);
    }
    const defaulted = defaultedReads(template);
    const alwaysDefaulted = used.filter((name) => defaulted.get(name) === analysis.globals[name].length);
    return new MessageTemplate(template, text, used, new Set(alwaysDefaulted));
  }

  /** The text for one recipient; `values` holds its fields by name. Throws TemplateRenderError. */
  render(values: Record<string, string>): string {
    if (this.template === null) {
      return this.source;
    }
    try {
      return engine.renderSync(this.template, values) as string;
    } catch (error) {
      // Whatever stops one recipient's render (a limit, a filter's error) rejects that recipient only.
      throw new TemplateRenderError(LiquidError.is(error) ? describeError(error) : String((error as Error).message));
    }
  }
}

/**
 * How many times each field is read as `{{ field | default: … }}`: the whole output is the field, and its first
 * filter gives an empty value a replacement. A default that reads another field does not count (that field may
 * be empty too), nor does an empty one (`default: ""`).
 */
function defaultedReads(templates: Template[]): Map<string, number> {
  const reads = new Map<string, number>();
  for (const template of allTemplates(templates)) {
    if (!(template instanceof Output)) {
      continue;
    }
    const { initial, filters } = template.value;
    if (filters[0]?.name !== 'default' || initial.postfix.length !== 1) {
      continue;
    }
    const replacement = filters[0].args[0];
    if (replacement === undefined || (TypeGuards.isQuotedToken(replacement) && replacement.content === '')) {
      continue;
    }
    const read = Object.entries(engine.analyzeSync([template]).globals);
    if (read.length === 1 && read[0][1].length === 1) {
      reads.set(read[0][0], (reads.get(read[0][0]) ?? 0) + 1);
    }
  }
  return reads;
}

/** Every template in the tree, those inside tags (`if`, `case`, `unless`) included. */
function* allTemplates(templates: Template[]): Generator<Template> {
  for (const template of templates) {
    yield template;
    if (template.children) {
      yield* allTemplates(toValueSync<Template[]>(template.children(false, true)));
    }
  }
}

/** One recipient's text could not be rendered (e.g. it hit the render limits). */
export class TemplateRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateRenderError';
  }
}

/**
 * How to write a column whose name Liquid cannot read as a variable (`{{ Customer Name }}` reads `Customer`):
 * `{{ ["Customer Name"] }}`, with the column the unknown name most likely meant, else the first such column.
 * Empty when every column can be written as it is.
 */
function bracketHint(unknown: string, fields: readonly string[]): string {
  const needing = fields.filter((field) => !readsAsVariable(field) && !(field.includes('"') && field.includes("'")));
  if (needing.length === 0) {
    return '';
  }
  const prefix = lettersAndDigits(unknown);
  const field = needing.find((f) => prefix !== '' && lettersAndDigits(f).startsWith(prefix)) ?? needing[0];
  const quote = field.includes('"') ? "'" : '"';
  return `; a column whose name has spaces is written {{ [${quote}${field}${quote}] }}`;
}

function readsAsVariable(field: string): boolean {
  try {
    const read = Object.keys(engine.analyzeSync(engine.parse(`{{ ${field} }}`)).globals);
    return read.length === 1 && read[0] === field;
  } catch {
    return false;
  }
}

const lettersAndDigits = (name: string): string => name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

function describeError(error: unknown): string {
  if (error instanceof LiquidError || LiquidError.is(error)) {
    // Liquid's message ends with ", line:1, col:4"; say it in words.
    return error.message.replace(/, line:(\d+), col:(\d+)$/, ' at line $1, column $2');
  }
  throw error;
}
