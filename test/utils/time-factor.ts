/**
 * One factor for every deadline in the integration suite: waits are for conditions, and a slow or
 * busy machine only makes them take longer, never fail. TEST_TIME_FACTOR=1 gives the deadlines as
 * written (a fast machine that wants quick failures); the default is generous.
 */
export const TEST_TIME_FACTOR = parseTimeFactor(process.env.TEST_TIME_FACTOR);

/** A deadline as written in a test, stretched by TEST_TIME_FACTOR. */
export function scaledTimeout(ms: number): number {
  return Math.round(ms * TEST_TIME_FACTOR);
}

function parseTimeFactor(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') {
    return 3;
  }
  const factor = Number(raw);
  if (!Number.isFinite(factor) || factor < 1 || factor > 100) {
    throw new Error(`TEST_TIME_FACTOR must be a number from 1 to 100, got "${raw}"`);
  }
  return factor;
}
