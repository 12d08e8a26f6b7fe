import { MAX_RECORD_BYTES, RecordSegment, RecordSplitter, RecordTooLongError } from './record-splitter';

/** Feeds `text` in pieces of `size` bytes and takes every segment of at least `minBytes`. */
function split(text: string, size: number, minBytes: number, format: 'csv' | 'ndjson' = 'csv'): RecordSegment[] {
  const splitter = new RecordSplitter(format);
  const bytes = Buffer.from(text);
  const segments: RecordSegment[] = [];
  for (let start = 0; start < bytes.length; start += size) {
    splitter.append(bytes.subarray(start, start + size));
    for (let s = splitter.take(minBytes); s; s = splitter.take(minBytes)) {
      segments.push(s);
    }
  }
  splitter.end();
  for (let s = splitter.take(minBytes); s; s = splitter.take(minBytes)) {
    segments.push(s);
  }
  return segments;
}

const texts = (segments: RecordSegment[]) => segments.map((s) => s.bytes.toString());

describe(RecordSplitter.name, () => {
  const csv = 'phone,note\n+14155550100,"two\nlines"\r\n+14155550101,"a ""quoted"" \r\nword"\n+14155550102,x';

  it('should cut only between records, whatever the chunk size', () => {
    const recordEnds = new Set([11, 37, 72, csv.length]);
    expect(csv.length).toBe(86);
    for (let size = 1; size <= csv.length; size++) {
      const segments = split(csv, size, 1);
      expect(texts(segments).join('')).toBe(csv);
      // Every cut falls after a record's line break: never inside a quoted field, never between \r and \n.
      let end = 0;
      for (const segment of segments) {
        end += segment.bytes.length;
        expect(recordEnds.has(end)).toBe(true);
      }
    }
  });

  it('should number the first line of each segment, counting line breaks inside quotes', () => {
    expect(split(csv, 1, 1).map((s) => s.firstLine)).toEqual([1, 2, 4, 6]);
  });

  it('should take whole records up to the last complete one once minBytes have arrived', () => {
    expect(texts(split('a\nb\nc\nd', 3, 4))).toEqual(['a\nb\nc\n', 'd']);
  });

  it('should treat a lone \\r as a line break, and wait for the byte after a \\r at the end of a chunk', () => {
    expect(texts(split('a\rb\r\nc', 2, 1))).toEqual(['a\r', 'b\r\n', 'c']);
  });

  it('should give the header record alone', () => {
    const splitter = new RecordSplitter('csv');
    splitter.append(Buffer.from('\ufeffphone,"x\ny"\n+14155550100,1\n'));
    expect(splitter.takeRecord()?.bytes.toString()).toBe('\ufeffphone,"x\ny"\n');
    expect(splitter.take(1)).toEqual({ bytes: Buffer.from('+14155550100,1\n'), firstLine: 3 });
  });

  it('should not treat quotes as quoting in NDJSON', () => {
    expect(texts(split('{"a":"\\""}\n{"b":1}\n', 4, 1, 'ndjson'))).toEqual(['{"a":"\\""}\n', '{"b":1}\n']);
  });

  it('should refuse a record longer than the limit (or an unclosed quote) with its line', () => {
    const splitter = new RecordSplitter('csv');
    splitter.append(Buffer.from('phone\n+14155550100\n"open\n'));
    expect(() => splitter.append(Buffer.alloc(MAX_RECORD_BYTES, 'x'))).toThrow(new RecordTooLongError(3));
  });
});
