import { GraphQLScalarType, Kind } from 'graphql';

// RFC 3339: a date, a time and an explicit offset (Z or ±hh:mm); years past 9999 as JavaScript writes them.
const DATE_TIME_WITH_OFFSET =
  /^(?:[+-]\d{6}|\d{4})-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/**
 * Nest's DateTime, except that a time without its offset (`2026-12-07T10:00:00`) is not read in the
 * server's own time zone, as `new Date()` would: it becomes an invalid date, which the field's @IsDate
 * refuses naming it (and the refusal is audited, as any other bad input). The name, description and
 * output are Nest's, so the schema is unchanged.
 */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'A date-time string at UTC, such as 2019-12-03T09:54:33Z, compliant with the date-time format.',
  parseValue: (value: unknown) => toDate(value),
  serialize: (value: unknown) => (value instanceof Date ? value.toISOString() : null),
  parseLiteral: (ast) => (ast.kind === Kind.STRING ? toDate(ast.value) : null),
});

function toDate(value: unknown): Date {
  return typeof value === 'string' && DATE_TIME_WITH_OFFSET.test(value) ? new Date(value) : new Date(Number.NaN);
}

/** What @IsDate says of a DateTime input that is not one. */
export const DATE_TIME_MESSAGE = '$property must be a date-time with its offset, e.g. 2026-12-07T10:00:00Z';
