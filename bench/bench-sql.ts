import { Client } from 'pg';

/** Runs one statement on its own connection (database creation and dropping in the benches). */
export async function sql(url: string, text: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
