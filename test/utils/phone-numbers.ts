/** Distinct valid US mobile-range numbers (checked with libphonenumber): +1 415 2xx xxxx. */
export function usNumbers(count: number, offset = 0): string[] {
  return Array.from({ length: count }, (_, i) => `+1415${2000000 + (offset + i) * 37}`);
}

/** Distinct valid GB mobile numbers: +44 74xx xxx xxx. */
export function gbNumbers(count: number, offset = 0): string[] {
  return Array.from({ length: count }, (_, i) => `+4474${String(10000000 + (offset + i) * 1234).slice(0, 8)}`);
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) {
      return last as T;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
