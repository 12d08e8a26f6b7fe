import { isWindowOpen, nextWindowOpening, SendWindow, windowClosing } from './send-window';

export interface WindowedGroup {
  /** Null: may be sent at any time. */
  window: { zone: string; rule: SendWindow } | null;
  recipients: number;
}

// A campaign of a million recipients in a thousand zones is still a few thousand steps.
const MAX_STEPS = 100_000;

/**
 * When the last recipient is sent, if recipients go one after another every `msPerMessage` (the
 * campaign's share of its lane) and each group only inside its window: the dispatcher sends what is
 * open, and a group whose window closes waits for the next opening. A small event simulation: our
 * own, since the question (a queue drained across many zones' windows) is this service's alone.
 */
export function windowedFinishMs(groups: readonly WindowedGroup[], startMs: number, msPerMessage: number): number {
  const left = groups.filter((g) => g.recipients > 0).map((g) => ({ window: g.window, recipients: g.recipients }));
  let now = startMs;
  for (let step = 0; left.length > 0 && step < MAX_STEPS; step++) {
    const open = left.find((g) => !g.window || isWindowOpen(g.window.rule, g.window.zone, now));
    if (!open) {
      now = Math.min(...left.map((g) => nextWindowOpening(g.window!.rule, g.window!.zone, now)));
      continue;
    }
    const needed = open.recipients * msPerMessage;
    const until = open.window ? windowClosing(open.window.rule, open.window.zone, now) : Infinity;
    if (now + needed <= until) {
      now += needed;
      left.splice(left.indexOf(open), 1);
    } else {
      open.recipients -= Math.floor((until - now) / msPerMessage);
      now = until;
    }
  }
  return now;
}
