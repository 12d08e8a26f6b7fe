import { Inject } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from './prisma.service';

/** What a repository runs its statements on: the pool, or one transaction (see Transactor). */
export type Db = Prisma.TransactionClient;

/** Injects a repository's `Db`: outside a unit of work it is the pool. */
export const InjectDb = (): ParameterDecorator => Inject(PrismaService);

/** Runs `work` in a transaction of its own, or in the caller's when `db` already is one. */
export function inTransaction<T>(db: Db, work: (tx: Db) => Promise<T>, options?: { timeout?: number }): Promise<T> {
  // Prisma's client is a proxy (instanceof does not hold); a transaction's client has no $transaction.
  return isPool(db) ? db.$transaction(work, options) : work(db);
}

function isPool(db: Db): db is PrismaService {
  return typeof (db as Partial<PrismaService>).$transaction === 'function';
}
