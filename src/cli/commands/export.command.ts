import { createWriteStream } from 'node:fs';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { formatCount, ProgressOutput } from '../progress-bar';
import { CliContext } from './cli-context';

export interface ExportOptions {
  campaignId: string;
  format: 'csv' | 'ndjson';
  statuses: string[];
  bom: boolean;
  /** A file path; stdout when absent. */
  out?: string;
}

/**
 * `export <campaignId>`: streams GET /api/campaigns/:id/messages.(csv|ndjson) to a file or stdout,
 * with a progress bar on stderr (rows counted as lines against X-Total-Count).
 */
export async function exportCommand(
  context: CliContext,
  options: ExportOptions,
  stdout: Writable = process.stdout,
): Promise<void> {
  const query = new URLSearchParams();
  if (options.statuses.length > 0) {
    query.set('status', options.statuses.join(','));
  }
  if (options.bom) {
    query.set('bom', 'true');
  }
  const path = `/api/campaigns/${encodeURIComponent(options.campaignId)}/messages.${options.format}${query.size > 0 ? `?${query.toString()}` : ''}`;
  const response = await context.api.get(path);
  const total = Number(response.headers.get('x-total-count') ?? 0);
  const progress = new ExportProgress(context.progressOutput, total);
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      progress.add(countNewlines(chunk));
      done(null, chunk);
    },
  });
  const target = options.out ? createWriteStream(options.out) : stdout;
  await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), counter, target, {
    end: options.out !== undefined,
  });
  progress.finish(options.out);
}

function countNewlines(chunk: Buffer): number {
  let lines = 0;
  for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
    lines++;
  }
  return lines;
}

/** Rows so far against the total; the CSV header line is not a row. */
export class ExportProgress {
  private lines = 0;
  private lastDrawnAt = 0;

  constructor(
    private readonly output: ProgressOutput,
    private readonly total: number,
    private readonly now: () => number = Date.now,
  ) {}

  add(lines: number): void {
    this.lines += lines;
    if (this.now() - this.lastDrawnAt >= 200) {
      this.draw();
    }
  }

  finish(out?: string): void {
    this.draw();
    // A plain (non-terminal) progress line already ends its line; a terminal's bar does not.
    this.output.write(`${this.output.isTTY ? '\n' : ''}${out ? `Wrote ${out}` : 'Done'}\n`);
  }

  render(width = 30): string {
    const rows = Math.min(this.lines, this.total);
    const share = this.total === 0 ? 1 : rows / this.total;
    const filled = Math.round(share * width);
    return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(share * 100)}% ${formatCount(rows)}/${formatCount(this.total)} rows`;
  }

  private draw(): void {
    this.lastDrawnAt = this.now();
    this.output.write(this.output.isTTY ? `\r\x1b[2K${this.render()}` : `${this.render()}\n`);
  }
}
