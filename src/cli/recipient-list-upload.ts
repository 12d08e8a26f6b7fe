import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { GraphqlApiError } from './graphql-api.client';
import { formatCount, ProgressOutput } from './progress-bar';

export interface UploadedList {
  id: string;
  phoneColumn: string;
  fields: string[];
  rows: number;
  recipients: number;
  duplicates: number;
  rejected: number;
  rejectedRows: Array<{ row: number; column: string | null; input: string; reason: string }>;
}

const BAR_WIDTH = 30;
const PLAIN_EVERY_MS = 2_000;

/** Renders "uploading numbers.csv [####------] 40% 4.0/10.0 MB". */
export function renderUploadLine(name: string, sent: number, total: number): string {
  const ratio = total > 0 ? Math.min(1, sent / total) : 1;
  const filled = Math.round(ratio * BAR_WIDTH);
  const mb = (bytes: number) => (bytes / 1_000_000).toFixed(1);
  return `uploading ${name} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${Math.floor(ratio * 100)}% ${mb(sent)}/${mb(total)} MB`;
}

/**
 * Streams a CSV (or .ndjson/.jsonl) file to POST /api/recipient-lists with a progress bar on stderr;
 * answers the stored list, or throws GraphqlApiError with the service's code and message.
 */
export function uploadRecipientList(
  url: string,
  apiKey: string,
  path: string,
  options: { phoneColumn?: string; defaultCountry?: string },
  output: ProgressOutput,
): Promise<UploadedList> {
  return streamFile<UploadedList>(url, apiKey, path, '/api/recipient-lists', definedOnly(options), output);
}

/** What POST /api/campaigns answers: the campaign's fields and what the file's rows came to. */
export interface UploadedCampaign {
  id: string;
  status: string;
  upload: Omit<UploadedList, 'id'> | null;
}

/**
 * Streams the file to POST /api/campaigns with the campaign's fields as query parameters (a campaign and
 * its list in one request), with the same progress bar.
 */
export function uploadCampaign(
  url: string,
  apiKey: string,
  path: string,
  fields: Record<string, string | undefined>,
  output: ProgressOutput,
): Promise<UploadedCampaign> {
  return streamFile<UploadedCampaign>(url, apiKey, path, '/api/campaigns', definedOnly(fields), output);
}

async function streamFile<T>(
  url: string,
  apiKey: string,
  path: string,
  endpoint: string,
  query: Record<string, string>,
  output: ProgressOutput,
): Promise<T> {
  const total = statSync(path).size;
  const name = path.split(/[\\/]/).pop() ?? path;
  const ndjson = /\.(nd)?jsonl?$/i.test(path) || /\.ndjson$/i.test(path);
  const search = new URLSearchParams(query);
  let sent = 0;
  let lastPlainAt = 0;
  const file = createReadStream(path);
  file.on('data', (chunk) => {
    sent += chunk.length;
    if (output.isTTY) {
      output.write(`\r\x1b[2K${renderUploadLine(name, sent, total)}`);
    } else if (Date.now() - lastPlainAt >= PLAIN_EVERY_MS || sent === total) {
      output.write(`${renderUploadLine(name, sent, total)}\n`);
      lastPlainAt = Date.now();
    }
  });
  let response: Response;
  try {
    response = await fetch(`${url}${endpoint}${search.size > 0 ? `?${search.toString()}` : ''}`, {
      method: 'POST',
      headers: {
        'content-type': ndjson ? 'application/x-ndjson' : 'text/csv',
        'content-length': String(total),
        'x-api-key': apiKey,
      },
      body: Readable.toWeb(file) as ReadableStream,
      duplex: 'half',
    });
  } catch (error) {
    throw new GraphqlApiError('NETWORK_ERROR', `cannot reach ${url}: ${(error as Error).message}`);
  } finally {
    if (output.isTTY) {
      output.write('\n');
    }
  }
  const body = (await response.json().catch(() => ({}))) as Partial<T> & { code?: string; message?: string };
  if (!response.ok) {
    throw new GraphqlApiError(body.code ?? `HTTP_${response.status}`, body.message ?? response.statusText);
  }
  return body as T;
}

function definedOnly(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** What the CLI prints about an uploaded list (or a campaign's file): counts and the first rejected rows. */
export function describeUpload(list: Omit<UploadedList, 'id'> & { id?: string }, shown = 5): string[] {
  const lines = [
    `${list.id ? `List ${list.id}` : 'File'}: ${formatCount(list.recipients)} recipients of ${formatCount(list.rows)} rows ` +
      `(phone column "${list.phoneColumn}"${list.fields.length > 0 ? `, fields ${list.fields.join(', ')}` : ''})`,
    `  rejected rows: ${formatCount(list.rejected)} (${formatCount(list.duplicates)} duplicates)`,
  ];
  for (const row of list.rejectedRows.slice(0, shown)) {
    lines.push(`    row ${row.row}${row.column ? `, ${row.column}` : ''}: ${JSON.stringify(row.input)}: ${row.reason}`);
  }
  if (list.rejected > shown) {
    lines.push(`    … and ${formatCount(list.rejected - shown)} more`);
  }
  return lines;
}

/** A file goes through the list upload when its column is named or the text is a template. */
export function usesRecipientList(options: { phoneColumn?: string; text: string }): boolean {
  return options.phoneColumn !== undefined || /{{|{%/.test(options.text);
}
