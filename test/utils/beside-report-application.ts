import { besideLockHolder } from './beside-lock-holder';

const LOCK_MESSAGE = `SELECT 1 FROM "Message" WHERE id = $1::bigint FOR NO KEY UPDATE`;

/**
 * Runs `statement` beside a report's application on PostgreSQL, which locks its messages in id order:
 * holds message `first` locked as it does, waits until `statement` waits for that lock, then locks
 * `next` (the report's next message). See `besideLockHolder`.
 */
export async function besideReportApplication(
  databaseUrl: string,
  first: bigint,
  next: bigint,
  statement: () => Promise<unknown>,
): Promise<void> {
  await besideLockHolder(
    databaseUrl,
    {
      holdFirst: { text: LOCK_MESSAGE, values: [first.toString()] },
      takeNext: { text: LOCK_MESSAGE, values: [next.toString()] },
    },
    statement,
  );
}
