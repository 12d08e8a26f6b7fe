import { PrismaPg } from '@prisma/adapter-pg';
import { replaceStandIn } from './large-parameter-statement';

type PgAdapter = Awaited<ReturnType<PrismaPg['connect']>>;
type PgTransaction = Awaited<ReturnType<PgAdapter['startTransaction']>>;

const ENDINGS = new Set(['COMMIT', 'ROLLBACK']);

/**
 * PrismaPg whose transactions always give their connection back, and which runs the statements that
 * executeLargeParameterStatement hands over in place of their stand-ins. Prisma 6.19's transaction manager
 * runs `COMMIT` (or `ROLLBACK`) and only then releases the pool client; when that statement fails
 * (the connection was killed: a restart, a failover, an idle reaper) the client is never released,
 * and after DB_POOL_MAX such failures every query waits forever. Here a failed COMMIT or ROLLBACK
 * releases the client before the error goes up (PostgreSQL has ended the transaction either way).
 * Later Prisma versions do this themselves (rollback on a failed commit); remove this with the upgrade.
 */
export class ReleasingPrismaPg extends PrismaPg {
  override async connect(): Promise<PgAdapter> {
    const adapter = await super.connect();
    const executeRaw = adapter.executeRaw.bind(adapter);
    adapter.executeRaw = (query) => executeRaw(replaceStandIn(query));
    const queryRaw = adapter.queryRaw.bind(adapter);
    adapter.queryRaw = (query) => queryRaw(replaceStandIn(query));
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => releasingOnFailedEnd(await startTransaction(isolationLevel));
    return adapter;
  }
}

function releasingOnFailedEnd(transaction: PgTransaction): PgTransaction {
  const queryRaw = transaction.queryRaw.bind(transaction);
  transaction.queryRaw = (query) => queryRaw(replaceStandIn(query));
  const executeRaw = transaction.executeRaw.bind(transaction);
  transaction.executeRaw = async (query) => {
    try {
      return await executeRaw(replaceStandIn(query));
    } catch (error) {
      if (ENDINGS.has(query.sql.trim().toUpperCase())) {
        // The adapter's rollback() only releases the client (the statement already ran, and failed).
        await transaction.rollback().catch(() => undefined);
      }
      throw error;
    }
  };
  return transaction;
}
