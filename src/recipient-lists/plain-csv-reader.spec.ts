import type { CsvDelimiter } from './csv-delimiter';
import { readPlainCsv } from './plain-csv-reader';
import { MAX_RECORD_BYTES } from './record-splitter';
import { CsvRows, parseUploadCsv } from './upload-csv-parse';

const DELIMITERS: readonly CsvDelimiter[] = [',', ';', '\t'];

function csvParse(text: string, delimiter: CsvDelimiter = ','): CsvRows | Error {
  try {
    return parseUploadCsv(text, delimiter);
  } catch (error) {
    return error as Error;
  }
}

/** A small deterministic generator (mulberry32), so a failure names an input that can be replayed. */
function randomFrom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

/** Well-formed CSV: fields quoted or not, escaped quotes, empty lines, one line ending throughout or a mix. */
function wellFormed(random: () => number, delimiter: CsvDelimiter): string {
  const lineBreaks = random() < 0.5 ? [pick(random, ['\n', '\r\n', '\r'])] : ['\n', '\r\n', '\r'];
  const lines: string[] = [];
  for (let row = Math.floor(random() * 6); row >= 0; row--) {
    if (random() < 0.15) {
      lines.push('');
      continue;
    }
    const cells: string[] = [];
    for (let cell = Math.floor(random() * 4); cell >= 0; cell--) {
      const value = Array.from({ length: Math.floor(random() * 5) }, () =>
        pick(random, ['a', '7', ' ', '+', '(', 'é', '😀', ',', ';', '\t', '"']),
      ).join('');
      const mustQuote = value.includes(delimiter) || value.includes('"');
      cells.push(mustQuote || random() < 0.3 ? `"${value.replaceAll('"', '""')}"` : value);
    }
    lines.push(cells.join(delimiter));
  }
  const last = lines.length - 1;
  return lines.map((line, i) => (i < last || random() < 0.7 ? line + pick(random, lineBreaks) : line)).join('');
}

/** Anything at all from the characters that matter to a CSV reader. */
function anything(random: () => number): string {
  return Array.from({ length: Math.floor(random() * 14) }, () =>
    pick(random, ['a', ' ', '"', '""', ',', ';', '\t', '\n', '\r', '\r\n', '\uFEFF', '\u0000', 'é']),
  ).join('');
}

describe(readPlainCsv.name, () => {
  it('should read plain CSV exactly as csv-parse does', () => {
    const text = 'phone,name\n+14155550100,Ann\n\n"+1 (212) 555-0101","Smith, ""Bo"""\n+4915100000001,\n';

    expect(readPlainCsv(text, ',', MAX_RECORD_BYTES)).toEqual({
      rows: 5,
      records: [
        { row: 1, cells: ['phone', 'name'] },
        { row: 2, cells: ['+14155550100', 'Ann'] },
        { row: 4, cells: ['+1 (212) 555-0101', 'Smith, "Bo"'] },
        { row: 5, cells: ['+4915100000001', ''] },
      ],
    });
    expect(readPlainCsv(text, ',', MAX_RECORD_BYTES)).toEqual(csvParse(text));
  });

  it('should keep a line holding only "" as a record, as csv-parse does, and count an empty one as a row only', () => {
    const rows = {
      rows: 5,
      records: [
        { row: 1, cells: ['a'] },
        { row: 3, cells: [''] },
        { row: 4, cells: ['b'] },
      ],
    };
    expect(readPlainCsv('a\r\n\r\n""\r\nb\n\n', ',', MAX_RECORD_BYTES)).toEqual(rows);
    expect(csvParse('a\r\n\r\n""\r\nb\n\n')).toEqual(rows);
  });

  it.each([
    ['a quote inside an unquoted field', 'a,b"c\n'],
    ['text after a closing quote', '"a"b,c\n'],
    ['an unclosed quote', '"abc\n'],
    ['a line break inside quotes', '"a\nb",c\n'],
  ])('should leave %s to csv-parse', (_, text) => {
    expect(readPlainCsv(text, ',', MAX_RECORD_BYTES)).toBeNull();
  });

  it.each([
    ['a lone \\r in a file of \\n lines', 'a\rb\nc\n'],
    ['a lone \\n in a file of \\r\\n lines', '"a",x\r\nb\nc\r\n'],
  ])('should end a record at any line break, in any mix, as csv-parse does (%s)', (_, text) => {
    expect(readPlainCsv(text, ',', MAX_RECORD_BYTES)).toEqual(csvParse(text));
    expect(readPlainCsv(text, ',', MAX_RECORD_BYTES)?.records).toHaveLength(3);
  });

  it('should leave a record that could pass the record limit to csv-parse', () => {
    expect(readPlainCsv(`${'x'.repeat(30)}\n`, ',', 90)?.records).toEqual([{ row: 1, cells: ['x'.repeat(30)] }]);
    expect(readPlainCsv(`${'x'.repeat(31)}\n`, ',', 90)).toBeNull();
  });

  it('should read every well-formed CSV it is given, and agree with csv-parse on each', () => {
    const random = randomFrom(20261204);
    for (let i = 0; i < 5_000; i++) {
      const delimiter = pick(random, DELIMITERS);
      const text = wellFormed(random, delimiter);
      const records = readPlainCsv(text, delimiter, MAX_RECORD_BYTES);

      expect({ text, records }).toEqual({ text, records: csvParse(text, delimiter) });
    }
  });

  it('should agree with csv-parse whenever it reads arbitrary input, and give up otherwise', () => {
    const random = randomFrom(42);
    let read = 0;
    for (let i = 0; i < 20_000; i++) {
      const delimiter = pick(random, DELIMITERS);
      const text = anything(random);
      const records = readPlainCsv(text, delimiter, MAX_RECORD_BYTES);
      if (records !== null) {
        read++;
        expect({ text, records }).toEqual({ text, records: csvParse(text, delimiter) });
      }
    }
    // Enough of the inputs were read to make the comparison mean something.
    expect(read).toBeGreaterThan(2_000);
  });
});
