/**
 * A recipient's send window: local start and end time and the days of the week it applies to,
 * evaluated in an IANA time zone with Intl (the runtime's tz database handles DST and history).
 */
export interface SendWindow {
  /** Minutes after local midnight, 0 to 1439. */
  startMinute: number;
  /** Minutes after local midnight, 1 to 1440; before `startMinute` for a window across midnight. */
  endMinute: number;
  /** ISO weekdays (1 = Monday … 7 = Sunday) on which the window opens, as bits 1 << (day - 1). */
  days: number;
}

export const ALL_DAYS = 0b111_1111;
export const WEEKDAY_NAMES = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
export type WeekdayName = (typeof WEEKDAY_NAMES)[number];

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const TIME = /^([01]\d|2[0-4]):([0-5]\d)$/;

/** "HH:MM" to minutes after midnight ("24:00" only where `allowEndOfDay`); null if malformed. */
export function parseLocalTime(text: string, allowEndOfDay = false): number | null {
  const match = TIME.exec(text.trim());
  if (!match) {
    return null;
  }
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  if (minutes > 1440 || (minutes === 1440 && !allowEndOfDay)) {
    return null;
  }
  return minutes;
}

export function formatLocalTime(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export function daysMask(days: readonly WeekdayName[] | null | undefined): number {
  if (!days || days.length === 0) {
    return ALL_DAYS;
  }
  return days.reduce((mask, day) => mask | (1 << WEEKDAY_NAMES.indexOf(day)), 0);
}

export function dayNames(mask: number): WeekdayName[] {
  return WEEKDAY_NAMES.filter((_, index) => (mask & (1 << index)) !== 0);
}

/** "09:00-20:00" or "09:00-20:00 MON,TUE,…": the form used in configuration and in messages. */
export function formatSendWindow(window: SendWindow): string {
  const span = `${formatLocalTime(window.startMinute)}-${formatLocalTime(window.endMinute)}`;
  return window.days === ALL_DAYS ? span : `${span} ${dayNames(window.days).join(',')}`;
}

/** Parses the configuration form; throws a RangeError naming what is wrong. */
export function parseSendWindow(text: string): SendWindow {
  const [span, daysText] = text.trim().split(/\s+/, 2);
  const [startText, endText] = (span ?? '').split('-');
  const startMinute = parseLocalTime(startText ?? '');
  const endMinute = parseLocalTime(endText ?? '', true);
  if (startMinute === null || endMinute === null) {
    throw new RangeError(`"${text}" is not a window such as 09:00-20:00 (local HH:MM-HH:MM)`);
  }
  let days = ALL_DAYS;
  if (daysText) {
    const names = daysText.toUpperCase().split(',');
    const unknown = names.filter((name) => !(WEEKDAY_NAMES as readonly string[]).includes(name));
    if (unknown.length > 0) {
      throw new RangeError(`"${text}": unknown day ${unknown.join(', ')} (use ${WEEKDAY_NAMES.join(',')})`);
    }
    days = daysMask(names as WeekdayName[]);
  }
  return checkSendWindow({ startMinute, endMinute, days });
}

export function checkSendWindow(window: SendWindow): SendWindow {
  if (window.startMinute === window.endMinute) {
    throw new RangeError('a send window must not start and end at the same time');
  }
  if (window.days === 0) {
    throw new RangeError('a send window needs at least one day');
  }
  return window;
}

interface LocalTime {
  /** The local calendar date as a UTC day number (days since 1970-01-01). */
  day: number;
  /** 1 = Monday … 7 = Sunday. */
  weekday: number;
  minute: number;
  /** Local wall time as if it were UTC, in ms (for offset arithmetic). */
  wallMs: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** True if the runtime knows the IANA zone. */
export function isKnownTimeZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

export function localTimeIn(zone: string, ms: number): LocalTime {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') {
      parts[part.type] = Number(part.value);
    }
  }
  const wallMs =
    Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) +
    (((ms % 1000) + 1000) % 1000);
  const day = Math.floor(wallMs / DAY_MS);
  // 1970-01-01 was a Thursday (ISO 4).
  const weekday = ((((day + 3) % 7) + 7) % 7) + 1;
  return { day, weekday, minute: parts.hour * 60 + parts.minute, wallMs };
}

/** The UTC offset of `zone` at `ms`, in ms. */
export function offsetMs(zone: string, ms: number): number {
  return localTimeIn(zone, ms).wallMs - ms;
}

/**
 * The instant a local wall time (UTC day number + minute) happens in `zone`. A wall time skipped by
 * a DST change moves forward by the gap (02:30 on a spring-forward night is 03:30, as in java.time);
 * a repeated one is its first occurrence.
 */
export function instantOfLocal(zone: string, day: number, minute: number): number {
  const wallMs = day * DAY_MS + minute * MINUTE_MS;
  const first = wallMs - offsetMs(zone, wallMs);
  const second = wallMs - offsetMs(zone, first);
  if (second === first) {
    return first;
  }
  // Around a change the two guesses differ: the earlier one if it shows this wall time, otherwise
  // (a gap: no instant shows it) the later one, which is the wall time moved on by the gap.
  const earlier = Math.min(first, second);
  return localTimeIn(zone, earlier).wallMs === wallMs ? earlier : Math.max(first, second);
}

function dayAllowed(window: SendWindow, weekday: number): boolean {
  return (window.days & (1 << (weekday - 1))) !== 0;
}

function previousWeekday(weekday: number): number {
  return weekday === 1 ? 7 : weekday - 1;
}

export function isWindowOpen(window: SendWindow, zone: string, ms: number): boolean {
  const local = localTimeIn(zone, ms);
  if (window.startMinute < window.endMinute) {
    return dayAllowed(window, local.weekday) && local.minute >= window.startMinute && local.minute < window.endMinute;
  }
  // Across midnight: the evening part belongs to today's window, the early morning to yesterday's.
  return (
    (local.minute >= window.startMinute && dayAllowed(window, local.weekday)) ||
    (local.minute < window.endMinute && dayAllowed(window, previousWeekday(local.weekday)))
  );
}

/** The first instant at or after `fromMs` at which the window is open (`fromMs` itself if it is). */
export function nextWindowOpening(window: SendWindow, zone: string, fromMs: number): number {
  if (isWindowOpen(window, zone, fromMs)) {
    return fromMs;
  }
  const { day } = localTimeIn(zone, fromMs);
  for (let offset = 0; offset <= 8; offset++) {
    const candidate = instantOfLocal(zone, day + offset, window.startMinute);
    if (candidate >= fromMs && isWindowOpen(window, zone, candidate)) {
      return candidate;
    }
  }
  throw new RangeError(`the send window ${formatSendWindow(window)} never opens in ${zone}`);
}

/** The instant an open window closes (the end of the current opening), for `ms` inside it. */
export function windowClosing(window: SendWindow, zone: string, ms: number): number {
  const local = localTimeIn(zone, ms);
  const overnightMorning = window.startMinute > window.endMinute && local.minute < window.endMinute;
  const endDay = window.startMinute < window.endMinute || overnightMorning ? local.day : local.day + 1;
  const end = instantOfLocal(zone, endDay, window.endMinute);
  return end > ms ? end : ms + MINUTE_MS;
}
