import type { DueBatch } from '../persistence/dispatch.repository';
import { isWindowOpen, nextWindowOpening, SendWindow } from './send-window';

/** The batch's send window, or null when it may be sent at any time. */
export function windowOfBatch(
  batch: Pick<DueBatch, 'windowZone' | 'windowStartMinute' | 'windowEndMinute' | 'windowDays'>,
): { zone: string; rule: SendWindow } | null {
  const { windowZone, windowStartMinute, windowEndMinute, windowDays } = batch;
  if (
    !windowZone ||
    typeof windowStartMinute !== 'number' ||
    typeof windowEndMinute !== 'number' ||
    typeof windowDays !== 'number'
  ) {
    return null;
  }
  return { zone: windowZone, rule: { startMinute: windowStartMinute, endMinute: windowEndMinute, days: windowDays } };
}

/**
 * For a batch claimed while its window is closed (it closed since the batch became due): when it
 * opens next. Null when the batch may be sent now.
 */
export function closedWindowOpensAt(batch: DueBatch, nowMs: number): number | null {
  const window = batch.state === 'PENDING' ? windowOfBatch(batch) : null;
  if (!window || isWindowOpen(window.rule, window.zone, nowMs)) {
    return null;
  }
  return nextWindowOpening(window.rule, window.zone, nowMs);
}
