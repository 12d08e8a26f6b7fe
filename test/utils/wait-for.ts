import { scaledTimeout } from './time-factor';

/** Polls `probe` until it returns something truthy; the deadline is stretched by TEST_TIME_FACTOR. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + scaledTimeout(timeoutMs);
  while (Date.now() < deadline) {
    const result = await probe();
    if (result) {
      return result;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what} (${scaledTimeout(timeoutMs)} ms, TEST_TIME_FACTOR included)`);
}
