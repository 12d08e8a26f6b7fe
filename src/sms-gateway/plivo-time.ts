/** Plivo writes times as `YYYY-MM-DD HH:MM:SS[.ffffff]` in UTC, in API records and callbacks alike. */
export function formatPlivoTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** Parses `YYYY-MM-DD HH:MM:SS[.ffffff][±HH:MM]` (no offset = UTC). */
export function parsePlivoTime(value: string | null | undefined): Date | null {
  if (!value) {
    return null;
  }
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (!match) {
    return null;
  }
  const [, day, time, fraction = '', zone = 'Z'] = match;
  const millis = fraction ? fraction.slice(0, 4).padEnd(4, '0') : '';
  const date = new Date(`${day}T${time}${millis}${zone}`);
  return Number.isNaN(date.getTime()) ? null : date;
}
