import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The niceness of a background thread: the scheduler gives a thread of niceness 0 ~9 times its CPU. */
export const BACKGROUND_NICENESS = 10;

/**
 * Lowers the calling thread's scheduling priority, where the system lets one thread be told apart
 * (Linux: /proc/thread-self names the thread, and setpriority(2) on a thread id applies to that thread
 * alone). For worker threads that parse large lists: on a machine with as many busy threads as cores,
 * the event loop, its garbage collector's helpers and the database then get a core first, and a /health
 * probe or a webhook waits for one less often. Raising a niceness needs no privilege; it cannot be
 * lowered again, so only threads that do background work for their whole life call this. A thread already
 * nicer (the service started with `nice`) keeps its niceness. Where it cannot, the thread keeps its priority.
 */
export function lowerThisThreadsPriority(): void {
  let threadId: number;
  try {
    threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return; // not Linux, or no /proc
  }
  if (!Number.isInteger(threadId) || threadId <= 0) {
    return;
  }
  try {
    if (getPriority(threadId) < BACKGROUND_NICENESS) {
      setPriority(threadId, BACKGROUND_NICENESS);
    }
  } catch {
    // a container that forbids it
  }
}
