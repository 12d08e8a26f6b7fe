import { setImmediate } from 'node:timers/promises';

/**
 * Lets the event loop poll for I/O (a /health probe, a webhook, a database answer) before the caller goes
 * on: what long synchronous work awaits between slices.
 *
 * One setImmediate is not enough. Work that runs in an I/O callback (after a database answer or a request's
 * chunk, which is where most of it runs) is in the loop's poll phase, and an immediate queued there runs in
 * the check phase of the same iteration, before the loop polls again: the slices on both sides of it make one
 * long turn. An immediate queued from the check phase runs in the next iteration, after its poll.
 */
export async function yieldToIo(): Promise<void> {
  await setImmediate();
  await setImmediate();
}
