import { Client } from 'pg';
import { SharedSessionStatementNames } from '../../../src/persistence/prepared-statement-names';
import { testDatabaseUrl } from '../../utils/test-databases';

/**
 * PGlite serves every connection from one session: prepared statements are shared by name. Each
 * connection gets names of its own, and a closed connection's statements are deallocated when its slot
 * is taken again, so connections coming and going never pile statements up in the session.
 */
describe('Prepared statement names on a shared session (PGlite)', () => {
  const url = testDatabaseUrl('pglite');
  const open: Client[] = [];
  let names: SharedSessionStatementNames;

  beforeEach(() => {
    names = new SharedSessionStatementNames();
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((client) => client.end().catch(() => undefined)));
  });

  async function connect(): Promise<Client> {
    const client = new Client({ connectionString: url });
    await client.connect();
    open.push(client);
    return client;
  }

  async function close(client: Client): Promise<void> {
    open.splice(open.indexOf(client), 1);
    await client.end();
  }

  async function addOne(client: Client, value: number): Promise<number> {
    const { rows } = await client.query<{ n: number }>({
      name: await names.nameOn(client, 'add-one'),
      text: 'SELECT $1::int + 1 AS n',
      values: [value],
    });
    return rows[0].n;
  }

  it('should give two connections different names for the same statement, each prepared once', async () => {
    const [a, b] = [await connect(), await connect()];
    for (let round = 0; round < 3; round++) {
      await expect(addOne(a, round)).resolves.toBe(round + 1);
      await expect(addOne(b, round)).resolves.toBe(round + 1);
    }
    const [nameA, nameB] = [await names.nameOn(a, 'add-one'), await names.nameOn(b, 'add-one')];
    expect(nameA).not.toBe(nameB);
    const { rows } = await a.query<{ name: string }>(
      `SELECT name FROM pg_prepared_statements WHERE name = ANY($1::text[]) ORDER BY name`,
      [[nameA, nameB]],
    );
    expect(rows.map((r) => r.name)).toEqual([nameA, nameB].sort());
  });

  it('should take a closed connection’s slot again and drop the statements it left in the session', async () => {
    const keeper = await connect();
    await addOne(keeper, 1);
    let lastName = '';
    for (let cycle = 0; cycle < 10; cycle++) {
      const passing = await connect();
      // Prepared under the name the previous passing connection left behind: it would fail with
      // "prepared statement ... already exists" had that one not been deallocated.
      await expect(addOne(passing, cycle)).resolves.toBe(cycle + 1);
      const name = await names.nameOn(passing, 'add-one');
      if (cycle > 0) {
        expect(name).toBe(lastName);
      }
      lastName = name;
      await close(passing);
    }
    const tag = lastName.slice(0, lastName.lastIndexOf('.') + 1);
    const { rows } = await keeper.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_prepared_statements WHERE starts_with(name, $1)`,
      [tag],
    );
    // The keeper's statement and the last passing connection's.
    expect(rows[0].n).toBe(2);
  });
});
