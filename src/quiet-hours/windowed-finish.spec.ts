import { parseSendWindow } from './send-window';
import { windowedFinishMs } from './windowed-finish';

const nineToEight = parseSendWindow('09:00-20:00');
const at = (iso: string): number => Date.parse(iso);

describe('windowedFinishMs', () => {
  it('should send what is open first and wait for the last zone to open', () => {
    const finish = windowedFinishMs(
      [
        { window: { zone: 'Asia/Kolkata', rule: nineToEight }, recipients: 100 },
        { window: { zone: 'Europe/London', rule: nineToEight }, recipients: 100 },
        { window: { zone: 'America/Los_Angeles', rule: nineToEight }, recipients: 60 },
      ],
      at('2026-03-09T07:00:00Z'),
      1000,
    );
    // Los Angeles is on PDT since 8 March: 09:00 local is 16:00Z, then 60 s of sending.
    expect(new Date(finish).toISOString()).toBe('2026-03-09T16:01:00.000Z');
  });

  it('should carry what does not fit before the window closes to its next opening', () => {
    const finish = windowedFinishMs(
      [{ window: { zone: 'Europe/London', rule: nineToEight }, recipients: 120 }],
      at('2026-03-09T19:59:00Z'),
      1000,
    );
    // 60 recipients before 20:00, the other 60 from 09:00 the next morning.
    expect(new Date(finish).toISOString()).toBe('2026-03-10T09:01:00.000Z');
  });

  it('should not wait for recipients without a window', () => {
    expect(windowedFinishMs([{ window: null, recipients: 10 }], 0, 100)).toBe(1000);
  });
});
