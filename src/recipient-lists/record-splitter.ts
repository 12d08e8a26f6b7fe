import type { RecipientListFormat } from './recipient-list-format';

/** Longest record (CSV, quoted line breaks included) or NDJSON line. */
export const MAX_RECORD_BYTES = 64 * 1024;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Complete records cut from the upload, and the line (1-based) its first byte is on. `bytes` is a copy with
 * an ArrayBuffer of its own, so it can be moved to a worker as it is.
 */
export interface RecordSegment {
  bytes: Buffer;
  firstLine: number;
}

const FIRST_CAPACITY = 64 * 1024;

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
 * breaks. Holds at most one segment plus one incomplete record, in one buffer that grows to fit and is
 * reused: the bytes are copied in once and out once, with no allocation per network chunk (buffers live
 * outside the JavaScript heap, and every few megabytes of them allocated trigger a full garbage collection).
 */
export class RecordSplitter {
  private buffer: Buffer = Buffer.allocUnsafe(FIRST_CAPACITY);
  /** Bytes of `buffer` in use: what has arrived and not been cut. */
  private length = 0;
  private scanned = 0;
  private inQuotes = false;
  private ended = false;
  /** Ends (exclusive) of the first and last complete records in `buffer`, and the lines before them. */
  private firstEnd = -1;
  private firstEndLines = 0;
  private lastEnd = 0;
  private lastEndLines = 0;
  private scannedLines = 0;
  /** Line of buffer[0]. */
  private line = 1;

  constructor(private readonly format: RecipientListFormat) {}

  append(chunk: Buffer): void {
    if (this.length + chunk.length > this.buffer.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + chunk.length));
      this.buffer.copy(bigger, 0, 0, this.length);
      this.buffer = bigger;
    }
    chunk.copy(this.buffer, this.length);
    this.length += chunk.length;
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
    if (!this.ended || this.length === 0) {
      return null;
    }
    return this.cut(this.length, this.scannedLines);
  }

  private cut(end: number, lines: number): RecordSegment {
    // Not Buffer.from(): a copy under 4 KB would share Node's buffer pool.
    const bytes = Buffer.from(new Uint8Array(end).buffer);
    this.buffer.copy(bytes, 0, 0, end);
    const segment = { bytes, firstLine: this.line };
    this.buffer.copyWithin(0, end, this.length);
    this.length -= end;
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
    const bytes = this.buffer;
    const length = this.length;
    const csv = this.format === 'csv';
    let i = this.scanned;
    let lines = this.scannedLines;
    let inQuotes = this.inQuotes;
    for (; i < length; i++) {
      const byte = bytes[i];
      if (byte === QUOTE && csv) {
        inQuotes = !inQuotes;
        continue;
      }
      if (byte !== LF && byte !== CR) {
        continue;
      }
      if (byte === CR) {
        if (i + 1 === length && !this.ended) {
          break; // \r\n may be split between chunks: decide when the next byte is here.
        }
        if (i + 1 < length && bytes[i + 1] === LF) {
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
