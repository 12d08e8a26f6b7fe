import { randomBytes } from 'node:crypto';
import type { ClientBase, Pool } from 'pg';

/**
 * Names for prepared statements on a database where every connection shares ONE session (PGlite
 * served over its socket). PostgreSQL keeps a prepared statement per connection, so a fixed name is
 * prepared once on each; in a shared session a second connection preparing the same name fails
 * ("prepared statement ... already exists"), and leaving statements unnamed re-plans them every time
 * (the delivery-report append spent ~45 % of PGlite's time planning).
 *
 * Each live connection holds a slot, and its names end in `@<process tag>.<slot>`. A closed
 * connection's statements stay in the session, so a slot is reused (lowest first) and its leftovers are
 * deallocated before the new holder prepares anything: the session keeps at most one set of statements
 * per connection this process has open at once. The process tag keeps two processes on one session apart.
 */
export class SharedSessionStatementNames {
  private readonly processTag = randomBytes(4).toString('hex');
  private readonly suffixes = new WeakMap<ClientBase, Promise<string>>();
  private readonly freeSlots: number[] = [];
  private slotCount = 0;

  /** `base` as prepared on `client`. */
  async nameOn(client: ClientBase, base: string): Promise<string> {
    let suffix = this.suffixes.get(client);
    if (suffix === undefined) {
      suffix = this.takeSlot(client);
      this.suffixes.set(client, suffix);
    }
    return base + (await suffix);
  }

  private async takeSlot(client: ClientBase): Promise<string> {
    this.freeSlots.sort((a, b) => b - a);
    const reused = this.freeSlots.length > 0;
    const slot = reused ? this.freeSlots.pop()! : this.slotCount++;
    client.once('end', () => this.freeSlots.push(slot));
    const suffix = `@${this.processTag}.${slot}`;
    if (reused) {
      const { rows } = await client.query<{ name: string }>(
        `SELECT name FROM pg_prepared_statements WHERE right(name, length($1)) = $1`,
        [suffix],
      );
      await deallocate(client, rows);
    }
    return suffix;
  }
}

/**
 * Deallocates those of `names` the shared session still holds, through any of its connections. For a
 * pool closing while the database goes on (a test worker's PGlite serves many apps in turn): its
 * connections' statements would otherwise stay in the session for good.
 */
export async function deallocateStatements(db: Pool | ClientBase, names: readonly string[]): Promise<void> {
  if (names.length === 0) {
    return;
  }
  const { rows } = await db.query<{ name: string }>(
    `SELECT name FROM pg_prepared_statements WHERE name = ANY($1::text[])`,
    [names],
  );
  await deallocate(db, rows);
}

async function deallocate(db: Pool | ClientBase, statements: ReadonlyArray<{ name: string }>): Promise<void> {
  for (const { name } of statements) {
    await db.query(`DEALLOCATE "${name.replaceAll('"', '""')}"`);
  }
}

const bySession = new Map<string, SharedSessionStatementNames>();

/** The one registry of this process for the shared session behind `databaseUrl`. */
export function sharedSessionStatementNames(databaseUrl: string): SharedSessionStatementNames {
  let names = bySession.get(databaseUrl);
  if (names === undefined) {
    names = new SharedSessionStatementNames();
    bySession.set(databaseUrl, names);
  }
  return names;
}
