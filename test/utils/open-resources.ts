/**
 * What a test file started and must stop: apps, service processes, sandboxes. A file that ends with
 * any of them still open fails (test/utils/leak-check.ts), naming them, after they are force-closed,
 * so a broken cleanup never leaves a process or an app running into the next file.
 */
interface OpenResource {
  name: string;
  forceClose: () => Promise<void> | void;
}

const open = new Map<object, OpenResource>();

export function trackOpen(handle: object, name: string, forceClose: () => Promise<void> | void): void {
  open.set(handle, { name, forceClose });
}

export function untrackOpen(handle: object): void {
  open.delete(handle);
}

/** Force-closes whatever is still open; returns their names. */
export async function closeLeftovers(): Promise<string[]> {
  const leftovers = [...open.values()];
  open.clear();
  await Promise.allSettled(leftovers.map(async (resource) => resource.forceClose()));
  return leftovers.map((resource) => resource.name);
}

/** Runs `close`, but gives up after `timeoutMs` (then `onTimeout` forces it) and throws. */
export async function closeWithin(
  name: string,
  close: () => Promise<void>,
  timeoutMs: number,
  onTimeout: () => Promise<void> | void,
  /** What was still under way when it timed out, named in the error. */
  underWay: () => string[] = () => [],
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  try {
    const result = await Promise.race([close().then(() => 'closed' as const), timedOut]);
    if (result === 'timeout') {
      const hanging = underWay();
      await onTimeout();
      const waitingFor = hanging.length > 0 ? ` (still waiting for ${hanging.join(', ')})` : '';
      throw new Error(`${name} did not close within ${timeoutMs} ms${waitingFor}; it was forced`);
    }
  } finally {
    clearTimeout(timer);
  }
}
