import { Client } from 'pg';
import { waitFor } from './wait-for';

/** One SQL statement and its parameters. */
export type LockingStatement = { text: string; values: unknown[] };

/**
 * Runs `statement` beside another transaction on PostgreSQL that takes its locks in a known order: that
 * transaction runs `holdFirst`, waits until `statement` waits for what it holds, then runs `takeNext`
 * (with a 3 s lock_timeout) and commits. `takeNext` is granted at once if `statement` takes its locks in
 * the same order, since it then holds nothing after the first; had `statement` taken the next one
 * already, the two would wait on each other until PostgreSQL failed one with "deadlock detected".
 * `statement` must have no lock_timeout shorter than this process may take to see it wait on a busy
 * machine.
 */
export async function besideLockHolder(
  databaseUrl: string,
  holder: { holdFirst: LockingStatement; takeNext: LockingStatement },
  statement: () => Promise<unknown>,
): Promise<void> {
  const other = new Client({ connectionString: databaseUrl });
  await other.connect();
  try {
    await other.query('BEGIN');
    await other.query(holder.holdFirst.text, holder.holdFirst.values);
    let ended: { error?: Error } | undefined;
    const running = statement().then(
      () => (ended = {}),
      (error: unknown) => (ended = { error: error instanceof Error ? error : new Error(String(error)) }),
    );
    await waitFor('the statement to wait for what the other transaction holds', async () => {
      if (ended) {
        throw new Error(
          `the statement ended before waiting for the other transaction: ${ended.error?.message ?? 'no error'}`,
        );
      }
      // pg_locks and pg_blocking_pids are read live at each call; pg_stat_activity would not do: it is read
      // once a transaction, so a statement whose connection opened after the first probe was never seen.
      const waiting = await other.query(
        `SELECT 1 FROM pg_locks l WHERE NOT l.granted AND pg_backend_pid() = ANY(pg_blocking_pids(l.pid))`,
      );
      return (waiting.rowCount ?? 0) > 0;
    });
    await other.query(`SET LOCAL lock_timeout = '3s'`);
    await other.query(holder.takeNext.text, holder.takeNext.values);
    await other.query('COMMIT');
    await running;
    if (ended?.error !== undefined) {
      throw ended.error;
    }
  } finally {
    await other.query('ROLLBACK').catch(() => undefined);
    await other.end();
  }
}
