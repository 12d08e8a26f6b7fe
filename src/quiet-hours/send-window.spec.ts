import {
  ALL_DAYS,
  daysMask,
  formatSendWindow,
  isWindowOpen,
  nextWindowOpening,
  parseSendWindow,
  windowClosing,
} from './send-window';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();
const nineToEight = parseSendWindow('09:00-20:00');

describe('send windows', () => {
  describe('parseSendWindow', () => {
    it('should read times and days, and print them back', () => {
      const window = parseSendWindow('08:30-21:00 MON,TUE,SAT');
      expect(window).toEqual({ startMinute: 510, endMinute: 1260, days: daysMask(['MON', 'TUE', 'SAT']) });
      expect(formatSendWindow(window)).toBe('08:30-21:00 MON,TUE,SAT');
      expect(parseSendWindow('00:00-24:00')).toEqual({ startMinute: 0, endMinute: 1440, days: ALL_DAYS });
    });

    it('should reject malformed windows', () => {
      expect(() => parseSendWindow('9-20')).toThrow(RangeError);
      expect(() => parseSendWindow('24:00-08:00')).toThrow(RangeError);
      expect(() => parseSendWindow('09:00-09:00')).toThrow(/same time/);
      expect(() => parseSendWindow('09:00-20:00 FUNDAY')).toThrow(/unknown day FUNDAY/);
    });
  });

  describe('across DST changes (the US and the EU switch on different dates)', () => {
    it('should open at 09:00 New York time before and after the US change of 8 March 2026', () => {
      expect(iso(nextWindowOpening(nineToEight, 'America/New_York', at('2026-03-07T07:00:00Z')))).toBe(
        '2026-03-07T14:00:00.000Z',
      );
      expect(iso(nextWindowOpening(nineToEight, 'America/New_York', at('2026-03-09T07:00:00Z')))).toBe(
        '2026-03-09T13:00:00.000Z',
      );
    });

    it('should keep London on GMT between the US and the EU changes', () => {
      // 9 March: New York is on EDT already, London still on GMT until 29 March.
      expect(iso(nextWindowOpening(nineToEight, 'Europe/London', at('2026-03-09T07:00:00Z')))).toBe(
        '2026-03-09T09:00:00.000Z',
      );
      expect(iso(nextWindowOpening(nineToEight, 'Europe/London', at('2026-03-30T07:00:00Z')))).toBe(
        '2026-03-30T08:00:00.000Z',
      );
      expect(isWindowOpen(nineToEight, 'Europe/London', at('2026-03-30T19:30:00Z'))).toBe(false);
      expect(isWindowOpen(nineToEight, 'Europe/London', at('2026-03-09T19:30:00Z'))).toBe(true);
    });

    it('should close at local 20:00 on the day of the autumn change', () => {
      // 1 November 2026: the US falls back at 02:00; 20:00 EST is 01:00Z the next day.
      expect(iso(windowClosing(nineToEight, 'America/New_York', at('2026-11-01T15:00:00Z')))).toBe(
        '2026-11-02T01:00:00.000Z',
      );
    });

    it('should move a start time that does not exist that day forward by the gap, as java.time does', () => {
      const window = parseSendWindow('02:30-06:00');
      // 8 March 2026 in New York: 02:00 EST jumps to 03:00 EDT.
      expect(iso(nextWindowOpening(window, 'America/New_York', at('2026-03-08T06:00:00Z')))).toBe(
        '2026-03-08T07:30:00.000Z',
      );
    });
  });

  describe('across midnight', () => {
    const night = parseSendWindow('22:00-02:00 FRI');

    it('should stay open after midnight for the day the window started', () => {
      // Friday 6 March 2026, 23:00 in Tokyo (UTC+9) is 14:00Z; Saturday 01:00 is 16:00Z.
      expect(isWindowOpen(night, 'Asia/Tokyo', at('2026-03-06T14:00:00Z'))).toBe(true);
      expect(isWindowOpen(night, 'Asia/Tokyo', at('2026-03-06T16:00:00Z'))).toBe(true);
      expect(iso(windowClosing(night, 'Asia/Tokyo', at('2026-03-06T16:00:00Z')))).toBe('2026-03-06T17:00:00.000Z');
      // Saturday 23:00: Saturday is not a day of this window.
      expect(isWindowOpen(night, 'Asia/Tokyo', at('2026-03-07T14:00:00Z'))).toBe(false);
    });

    it('should find the next Friday evening from a Saturday', () => {
      expect(iso(nextWindowOpening(night, 'Asia/Tokyo', at('2026-03-07T14:00:00Z')))).toBe('2026-03-13T13:00:00.000Z');
    });

    it('should roll past a local midnight that is not a UTC midnight', () => {
      // 19:30 in Kolkata (UTC+5:30) is 14:00Z: open; the next opening after 20:00 local is the next morning.
      expect(isWindowOpen(nineToEight, 'Asia/Kolkata', at('2026-03-06T14:00:00Z'))).toBe(true);
      expect(iso(nextWindowOpening(nineToEight, 'Asia/Kolkata', at('2026-03-06T15:00:00Z')))).toBe(
        '2026-03-07T03:30:00.000Z',
      );
    });
  });

  it('should skip days the window does not apply to', () => {
    const weekdays = parseSendWindow('09:00-20:00 MON,TUE,WED,THU,FRI');
    // Saturday 7 March 2026 → Monday 9 March, 09:00 in Paris (CET, UTC+1).
    expect(iso(nextWindowOpening(weekdays, 'Europe/Paris', at('2026-03-07T10:00:00Z')))).toBe(
      '2026-03-09T08:00:00.000Z',
    );
  });
});
