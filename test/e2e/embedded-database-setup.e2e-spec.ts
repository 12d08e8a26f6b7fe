import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort, MAIN_JS, runService } from '../utils/service-process';

// Issue 18: a new embedded database is created (initdb) by a short-lived child process, so that the
// service does not keep initdb's wasm instance in its memory, and it runs with a smaller buffer pool.
// (PGlite cannot load inside Jest's VM, so the service runs as its own process.)

async function startAndQuery(dataDir: string): Promise<{ output: string; sharedBuffers: string; apiKeys: number }> {
  const port = await freePort();
  const service = runService({ PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info' });
  try {
    await service.waitFor(/ready on/, 90_000);
    const client = new Client({ host: path.join(dataDir, 'run'), user: 'postgres', database: 'postgres' });
    await client.connect();
    try {
      const buffers = await client.query<{ shared_buffers: string }>('SHOW shared_buffers');
      const keys = await client.query<{ n: string }>('SELECT count(*) AS n FROM "ApiKey"');
      return {
        output: service.output(),
        sharedBuffers: buffers.rows[0].shared_buffers,
        apiKeys: Number(keys.rows[0].n),
      };
    } finally {
      await client.end();
    }
  } finally {
    service.child.kill('SIGTERM');
    await service.exited;
  }
}

describe('the embedded database set-up (issue 18)', () => {
  beforeAll(() => {
    if (!existsSync(MAIN_JS)) {
      throw new Error(`${MAIN_JS} is missing: run npm run build (npm test does it)`);
    }
  });

  it('should create a new data directory once, in a child process, and reopen it with its data afterwards', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-embedded-setup-'));
    try {
      const first = await startAndQuery(dataDir);
      expect(first.output).toContain('Embedded database created');
      expect(existsSync(path.join(dataDir, 'pglite', 'PG_VERSION'))).toBe(true);
      expect(first.sharedBuffers).toBe('32MB');
      expect(first.apiKeys).toBeGreaterThan(0);

      const second = await startAndQuery(dataDir);
      expect(second.output).not.toContain('Embedded database created');
      expect(second.sharedBuffers).toBe('32MB');
      expect(second.apiKeys).toBe(first.apiKeys);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
