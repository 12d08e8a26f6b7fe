import { sqlstateOf } from './sqlstate';

/**
 * Whether a database error is a unique-constraint violation: Prisma reports it as P2002 from a model
 * query, and raw SQL fails with PostgreSQL's 23505.
 */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown })?.code === 'P2002' || sqlstateOf(error) === '23505';
}
