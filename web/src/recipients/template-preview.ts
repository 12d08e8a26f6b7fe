/**
 * The template preview: the text rendered for a few rows, in the browser, with the server's LiquidJS
 * and the same restrictions as src/recipient-lists/message-template.ts. LiquidJS is loaded
 * only when a text uses a placeholder (a separate chunk), so the first load does not carry it.
 */
const PLACEHOLDER = /{{|{%/;

export function usesTemplate(text: string): boolean {
  return PLACEHOLDER.test(text);
}

/** How the text reads a column: `name` as it is, a name with spaces or punctuation as `["Customer Name"]`. */
export function fieldReference(field: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) {
    return field;
  }
  const quote = field.includes('"') ? "'" : '"';
  return `[${quote}${field}${quote}]`;
}

type Render = (text: string, fields: Record<string, string>) => string;
let renderer: Promise<Render> | undefined;

function loadRenderer(): Promise<Render> {
  renderer ??= import('liquidjs').then(({ Liquid }) => {
    const engine = new Liquid({
      strictFilters: true,
      strictVariables: true,
      ownPropertyOnly: true,
      parseLimit: 10_000,
      renderLimit: 2_000,
      memoryLimit: 1_000_000,
      cache: false,
    });
    for (const tag of ['include', 'render', 'layout', 'block', 'for', 'tablerow']) {
      delete (engine.tags as Record<string, unknown>)[tag];
    }
    return (text, fields) => engine.parseAndRenderSync(text, fields) as string;
  });
  return renderer;
}

export interface PreviewLine {
  row: number;
  text?: string;
  error?: string;
}

/** The text for each row (`rows[i]` is spreadsheet row `i + 2`: the header is row 1). */
export async function renderPreview(text: string, rows: Array<Record<string, string>>): Promise<PreviewLine[]> {
  const render = await loadRenderer();
  return rows.map((fields, i) => {
    try {
      return { row: i + 2, text: render(text, fields) };
    } catch (error) {
      return { row: i + 2, error: error instanceof Error ? error.message.split('\n')[0] : String(error) };
    }
  });
}
