import { Kind } from 'graphql';
import { DateTimeScalar } from './date-time.scalar';

describe('DateTimeScalar', () => {
  const parse = (value: unknown) => DateTimeScalar.parseValue(value) as Date;

  it('should read a date-time with its offset, Z or ±hh:mm, to the millisecond', () => {
    expect(parse('2026-12-07T10:00:00Z').toISOString()).toBe('2026-12-07T10:00:00.000Z');
    expect(parse('2026-12-07T11:00:00.250+01:00').toISOString()).toBe('2026-12-07T10:00:00.250Z');
    expect(parse('+275760-09-13T00:00:00.000Z').getTime()).toBe(8.64e15);
    expect(
      (DateTimeScalar.parseLiteral({ kind: Kind.STRING, value: '2026-12-07T10:00Z' }, {}) as Date).toISOString(),
    ).toBe('2026-12-07T10:00:00.000Z');
  });

  it("should make an invalid date of a time without its offset, instead of reading it in the server's zone", () => {
    for (const value of ['2026-12-07T10:00:00', '2026-12-07', 'not-a-date', 1_765_000_000_000, null]) {
      expect([value, Number.isNaN(parse(value).getTime())]).toEqual([value, true]);
    }
  });

  it('should write dates as Nest did', () => {
    expect(DateTimeScalar.serialize(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
  });
});
