/**
 * The PostgreSQL SQLSTATE behind an error from Prisma (a raw query's P2010 carries it), its driver
 * adapter or the pg driver; null when there is none.
 */
export function sqlstateOf(error: unknown): string | null {
  const candidates = [
    (error as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } })?.meta?.driverAdapterError
      ?.cause?.originalCode,
    (error as { cause?: { originalCode?: unknown } })?.cause?.originalCode,
    (error as { code?: unknown })?.code,
  ];
  // Prisma's own codes (P1000–P6999) have the same shape; PL/pgSQL's SQLSTATEs start with P0.
  const code = candidates.find(
    (value): value is string =>
      typeof value === 'string' && /^[0-9A-Z]{5}$/.test(value) && !/^P[1-9]\d{3}$/.test(value),
  );
  return code ?? null;
}
