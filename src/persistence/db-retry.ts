const RETRYABLE_CODES = new Set(['40P01', '40001', 'P2034']);

/** Deadlock or serialization failure (PostgreSQL 40P01 / 40001, Prisma P2034), however it is wrapped. */
export function isRetryableDbError(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > 5) {
    return false;
  }
  const record = error as Record<string, unknown>;
  for (const key of ['code', 'originalCode']) {
    if (typeof record[key] === 'string' && RETRYABLE_CODES.has(record[key])) {
      return true;
    }
  }
  if (record.kind === 'TransactionWriteConflict') {
    return true;
  }
  if (
    typeof record.message === 'string' &&
    /\b(40P01|40001)\b|deadlock detected|could not serialize/i.test(record.message)
  ) {
    return true;
  }
  const meta = record.meta as Record<string, unknown> | undefined;
  return [record.cause, meta?.driverAdapterError, meta].some((inner) => isRetryableDbError(inner, depth + 1));
}

/** Runs `work`, retrying deadlocks and serialization failures a few times with a short jittered pause. */
export async function withDbRetry<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isRetryableDbError(error)) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10 * attempt));
    }
  }
}
