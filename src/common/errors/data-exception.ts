/**
 * The SQLSTATE of a PostgreSQL data exception (class 22: a NUL byte in text, a number or date out of
 * range…) behind an error from Prisma, its driver adapter or the pg driver; null for anything else.
 * Such an error means a value from the request could not be stored: a client error, not a crash.
 */
export function dataExceptionCode(error: unknown): string | null {
  const candidates = [
    (error as { code?: unknown })?.code,
    (error as { cause?: { originalCode?: unknown } })?.cause?.originalCode,
    (error as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } })?.meta?.driverAdapterError
      ?.cause?.originalCode,
  ];
  const code = candidates.find((value): value is string => typeof value === 'string' && /^22[0-9A-Z]{3}$/.test(value));
  return code ?? null;
}
