import type { RecipientListFormat } from './recipient-list-format';

/** Longest record (CSV, quoted line breaks included) or NDJSON line. */
export const MAX_RECORD_BYTES = 64 * 1024;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Complete records cut from the upload, and the line (1-based) its first byte is on. */
export interface RecordSegment {
  bytes: Buffer;
  firstLine: number;
}

export class RecordTooLongError extends Error {
  constructor(readonly line: number) {
    super(
      `a record longer than ${MAX_RECORD_BYTES.toLocaleString('en-US')} bytes (or an unclosed quote) at line ${line}`,
    );
  }
}

/**
 * Cuts a byte stream into segments of whole records, so each segment can be parsed on its own (on a worker)
 * while the stream is still arriving. A record ends at a line break (\n, \r\n or a lone \r) outside quotes;
 * in CSV a `"` toggles quoting (RFC 4180: an escaped `""` toggles twice), NDJSON has no quoting of line
 * breaks. Holds at most one segment plus one incomplete record.
 */
export class RecordSplitter {
  private pending: Buffer = Buffer.alloc(0);
  private scanned = 0;
  private inQuotes = false;
  private ended = false;
  /** Ends (exclusive) of the first and last complete records in `pending`, and the lines before them. */
  private firstEnd = -1;
  private firstEndLines = 0;
  private lastEnd = 0;
  private lastEndLines = 0;
  private scannedLines = 0;
  /** Line of pending[0]. */
  private line = 1;

  constructor(private readonly format: RecipientListFormat) {}

  append(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    this.scan();
  }

  /** The body is complete: what is left is the last record, line break or not. */
  end(): void {
    this.ended = true;
    this.scan();
  }

  /** The first complete record alone (the header), or null until one has arrived. */
  takeRecord(): RecordSegment | null {
    if (this.firstEnd < 0) {
      return this.takeRest();
    }
    return this.cut(this.firstEnd, this.firstEndLines);
  }

  /** Every complete record so far once they are at least `minBytes` (or the body ended), else null. */
  take(minBytes: number): RecordSegment | null {
    if (this.lastEnd > 0 && this.lastEnd >= minBytes) {
      return this.cut(this.lastEnd, this.lastEndLines);
    }
    return this.takeRest();
  }

  private takeRest(): RecordSegment | null {
    if (!this.ended || this.pending.length === 0) {
      return null;
    }
    return this.cut(this.pending.length, this.scannedLines);
  }

  private cut(end: number, lines: number): RecordSegment {
    const segment = { bytes: this.pending.subarray(0, end), firstLine: this.line };
    this.pending = this.pending.subarray(end);
    this.line += lines;
    this.scanned -= end;
    this.scannedLines -= lines;
    this.firstEnd = -1;
    this.firstEndLines = 0;
    this.lastEnd = 0;
    this.lastEndLines = 0;
    // Any record boundary left in the scanned part is found again by the next scan.
    this.rescanFrom(0);
    return segment;
  }

  private rescanFrom(position: number): void {
    this.scanned = position;
    this.scannedLines = 0;
    this.inQuotes = false;
    this.scan();
  }

  private scan(): void {
    const bytes = this.pending;
    const csv = this.format === 'csv';
    let i = this.scanned;
    let lines = this.scannedLines;
    let inQuotes = this.inQuotes;
    for (; i < bytes.length; i++) {
      const byte = bytes[i];
      if (byte === QUOTE && csv) {
        inQuotes = !inQuotes;
        continue;
      }
      if (byte !== LF && byte !== CR) {
        continue;
      }
      if (byte === CR) {
        if (i + 1 === bytes.length && !this.ended) {
          break; // \r\n may be split between chunks: decide when the next byte is here.
        }
        if (bytes[i + 1] === LF) {
          i++;
        }
      }
      lines++;
      if (!inQuotes) {
        this.recordEndsAt(i + 1, lines);
      }
    }
    this.scanned = i;
    this.scannedLines = lines;
    this.inQuotes = inQuotes;
    if (this.scanned - this.lastEnd > MAX_RECORD_BYTES) {
      throw new RecordTooLongError(this.line + this.lastEndLines);
    }
  }

  private recordEndsAt(end: number, lines: number): void {
    if (this.firstEnd < 0) {
      this.firstEnd = end;
      this.firstEndLines = lines;
    }
    this.lastEnd = end;
    this.lastEndLines = lines;
  }
}
