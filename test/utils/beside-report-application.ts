import { Client } from 'pg';
import { waitFor } from './wait-for';

/**
 * Runs `statement` beside a report's application on PostgreSQL, which locks its messages in id order:
 * holds message `first` locked as it does, waits until `statement` waits for that lock, then locks
 * `next` (the report's next message, with a 3 s lock_timeout). That is granted at once if `statement`
 * locks in id order, since it then holds nothing after `first`; had `statement` locked `next` already,
 * the two would wait on each other until PostgreSQL failed one with "deadlock detected". `statement`
 * must have no lock_timeout shorter than this process may take to see it wait on a busy machine.
 */
export async function besideReportApplication(
  databaseUrl: string,
  first: bigint,
  next: bigint,
  statement: () => Promise<unknown>,
): Promise<void> {
  const report = new Client({ connectionString: databaseUrl });
  await report.connect();
  try {
    await report.query('BEGIN');
    await report.query(`SELECT 1 FROM "Message" WHERE id = $1::bigint FOR NO KEY UPDATE`, [first.toString()]);
    let ended: { error?: Error } | undefined;
    const running = statement().then(
      () => (ended = {}),
      (error: unknown) => (ended = { error: error instanceof Error ? error : new Error(String(error)) }),
    );
    await waitFor('the statement to wait for the first message', async () => {
      if (ended) {
        throw new Error(
          `the statement ended before waiting for the first message: ${ended.error?.message ?? 'no error'}`,
        );
      }
      const waiting = await report.query(
        `SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid)
         WHERE NOT l.granted AND a.datname = current_database()`,
      );
      return (waiting.rowCount ?? 0) > 0;
    });
    await report.query(`SET LOCAL lock_timeout = '3s'`);
    await report.query(`SELECT 1 FROM "Message" WHERE id = $1::bigint FOR NO KEY UPDATE`, [next.toString()]);
    await report.query('COMMIT');
    await running;
    if (ended?.error !== undefined) {
      throw ended.error;
    }
  } finally {
    await report.query('ROLLBACK').catch(() => undefined);
    await report.end();
  }
}
