import { Client } from 'pg';
import { waitFor } from './wait-for';

/**
 * Runs `statement` beside a report's application on PostgreSQL, which locks its messages in id order:
 * holds message `first` locked as it does, waits until `statement` waits for that lock, then locks
 * `next` (the report's next message, with a 3 s lock_timeout). That is granted at once if `statement`
 * locks in id order, since it then holds nothing after `first`; had `statement` locked `next` already,
 * the two would wait on each other until PostgreSQL failed one with "deadlock detected".
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
    const running = statement();
    running.catch(() => undefined);
    await waitFor('the statement to wait for the first message', async () => {
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
  } finally {
    await report.query('ROLLBACK').catch(() => undefined);
    await report.end();
  }
}
