import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { graphql } from '../utils/graphql-client';
import { answersAsPostgres, connectAsAnotherUser, listeningTcpPorts } from '../utils/process-sockets';
import {
  freePort,
  MAIN_JS,
  runService,
  ServiceProcess,
  START_MALLOC_ENV,
  START_NODE_OPTIONS,
} from '../utils/service-process';
import { gbNumbers } from '../utils/phone-numbers';
import { testDatabaseUrl } from '../utils/test-databases';
import { waitFor } from '../utils/wait-for';

// These tests run the built service as a user would (`npm start` runs dist/src/main.js);
// `npm test` builds it first.
describe('the service process', () => {
  beforeAll(() => {
    if (!existsSync(MAIN_JS)) {
      throw new Error(`${MAIN_JS} is missing: run npm run build (npm test does it)`);
    }
  });

  it('should refuse to start with every configuration error listed, exiting non-zero', async () => {
    const service = runService({
      NODE_ENV: 'production',
      DATABASE_URL: 'mysql://root@localhost/sms',
      PLIVO_AUTH_ID: 'MAXXXXXXXXXXXXXXXXXX',
    });
    expect(await service.exited).toBe(1);
    const output = service.output();
    expect(output).toMatch(/Invalid environment configuration/);
    expect(output).toMatch(/DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(output).toMatch(/missing: PLIVO_AUTH_TOKEN, PLIVO_SENDER_ID/);
    expect(output).toMatch(/API_KEY is required when NODE_ENV=production/);
  });

  it('should be started by npm start and the Dockerfile with the V8 flags and malloc settings the benchmarks measure', () => {
    const root = path.resolve(__dirname, '../..');
    const start = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } })
      .scripts.start;
    const mallocEnv = Object.entries(START_MALLOC_ENV).map(([name, value]) => `${name}=${value}`);
    expect(start).toBe(`${mallocEnv.join(' ')} node ${START_NODE_OPTIONS} dist/src/main.js`);
    const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    const cmd = dockerfile.match(/^CMD (\[.*\])$/m)![1];
    expect(JSON.parse(cmd)).toEqual(['node', ...START_NODE_OPTIONS.split(' '), 'dist/src/main.js']);
    for (const setting of mallocEnv) {
      expect(dockerfile).toMatch(new RegExp(`^\\s*${setting}( \\\\)?$`, 'm'));
    }
  });

  it('should refuse to start, naming the data directory, when the embedded database cannot be opened', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-broken-'));
    try {
      // A data directory that is not PostgreSQL's: PGlite fails on its own thread, the service exits.
      mkdirSync(path.join(dataDir, 'pglite'));
      writeFileSync(path.join(dataDir, 'pglite', 'PG_VERSION'), 'not a version\n');
      const service = runService({ PORT: String(await freePort()), DATA_DIR: dataDir });
      expect(await service.exited).toBe(1);
      expect(service.output()).toContain(`Could not open the embedded database in ${path.join(dataDir, 'pglite')}`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  // One data directory, started twice: the zero-config default (issue 1), its database created by a
  // short-lived child process with a small buffer pool (issue 18), and reachable only through a Unix
  // socket in a 0700 directory, on no TCP port (issue 11: the embedded PGlite accepts any password).
  // Held by one process at a time: a third start while the first runs is refused.
  // PGlite cannot load inside Jest's VM, so the service runs as its own process.
  it('should start with nothing configured on embedded PGlite, its database private and its directory its own, print its key, stop on SIGTERM and keep data', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-start-'));
    const socketDir = path.join(dataDir, 'run');
    const database = async (): Promise<{ sharedBuffers: string; synchronousCommit: string; apiKeys: number }> => {
      const client = new Client({ host: socketDir, user: 'postgres', database: 'postgres' });
      await client.connect();
      try {
        const buffers = await client.query<{ shared_buffers: string }>('SHOW shared_buffers');
        const commit = await client.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
        const keys = await client.query<{ n: string }>('SELECT count(*) AS n FROM "ApiKey"');
        return {
          sharedBuffers: buffers.rows[0].shared_buffers,
          synchronousCommit: commit.rows[0].synchronous_commit,
          apiKeys: Number(keys.rows[0].n),
        };
      } finally {
        await client.end();
      }
    };
    const started: ServiceProcess[] = [];
    try {
      const port = await freePort();
      const first = runService({ PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info' });
      started.push(first);
      const [, key] = await first.waitFor(/API key \(x-api-key\): (\S+)/, 90_000);
      // Pretty log lines outside production, written in order: the start-up's own lines before its banner.
      const startUp = first.output();
      expect(startUp).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO \(\d+\): Nest application successfully started/m);
      expect(startUp.indexOf('Nest application successfully started')).toBeLessThan(
        startUp.indexOf('Bulk SMS service ready'),
      );
      // Each start-up line is stamped when it was written: the embedded database's start lies between the
      // first line and its own (Nest's buffered start-up once gave every line of it the same time).
      const starting = lineTime(startUp, 'Starting Nest application');
      const ready = /\[(\d{2}:\d{2}:\d{2}\.\d{3})\] INFO \(\d+\): embedded PGlite in .* ready in (\d+) ms/.exec(
        startUp,
      );
      expect(ready).not.toBeNull();
      const day = 24 * 60 * 60 * 1000; // a start across midnight
      expect((millisOfDay(ready![1]) - starting + day) % day).toBeGreaterThanOrEqual(Number(ready![2]) / 2);
      expect(first.output()).toMatch(new RegExp(`http://localhost:${port}/graphql`));
      expect(first.output()).toMatch(/embedded PGlite/);
      await first.waitFor(/Embedded database created/);
      expect(existsSync(path.join(dataDir, 'pglite', 'PG_VERSION'))).toBe(true);
      const baseUrl = `http://127.0.0.1:${port}`;
      expect((await fetch(`${baseUrl}/health`)).status).toBe(200);
      expect((await fetch(`${baseUrl}/ready`)).status).toBe(200);
      const response = await graphql(baseUrl, key, '{ campaigns { pageInfo { hasNextPage } } }');
      expect(response.errors).toBeUndefined();
      // A campaign to its end: its delivery reports prepare the webhook's statements, which the stop below
      // deallocates before the embedded database stops (it once logged ECONNRESET at every stop).
      const sent = await graphql<{ sendBulk: { id: string } }>(
        baseUrl,
        key,
        'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }',
        { input: { recipients: gbNumbers(2, 71_000), text: 'zero-config' } },
      );
      expect(sent.errors).toBeUndefined();
      await waitFor('the campaign to complete', async () => {
        const campaign = await graphql<{ campaign: { status: string } }>(
          baseUrl,
          key,
          'query($id: ID!) { campaign(id: $id) { status } }',
          { id: sent.data!.sendBulk.id },
        );
        return campaign.data?.campaign.status === 'COMPLETED';
      });

      // One process per data directory: PGlite takes no lock of its own, and two processes writing one
      // directory leave it unreadable ("RuntimeError: Aborted()" at the next open). A second instance is
      // refused before it touches anything there, the socket below included.
      const intruder = runService({ PORT: String(await freePort()), DATA_DIR: dataDir });
      started.push(intruder);
      expect(await intruder.exited).toBe(1);
      expect(intruder.output()).toContain(
        `Failed to start: DATA_DIR ${realpathSync(dataDir)} is in use by process ${first.child.pid}`,
      );
      // Said in one line, before any module starts: no framework log, no stack trace.
      expect(intruder.output()).not.toMatch(/ExceptionHandler|\n\s+at /);

      // None of its TCP ports answers as PostgreSQL; the socket is for the service's user only.
      const ports = listeningTcpPorts(first.child.pid as number);
      expect(ports).toContain(port);
      for (const other of ports) {
        expect({ port: other, postgres: await answersAsPostgres(other) }).toEqual({ port: other, postgres: false });
      }
      const socketPath = path.join(socketDir, '.s.PGSQL.5432');
      expect(statSync(socketDir).mode & 0o777).toBe(0o700);
      expect(statSync(socketPath).isSocket()).toBe(true);
      if (process.getuid?.() === 0) {
        expect(connectAsAnotherUser(socketPath)).toBe('refused:EACCES');
      }
      const created = await database();
      // The small buffer pool (issue 18) without trading away durability: a commit still waits for its WAL.
      expect(created.sharedBuffers).toBe('16MB');
      expect(created.synchronousCommit).toBe('on');
      expect(created.apiKeys).toBeGreaterThan(0);
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      expect(first.output()).not.toMatch(/Prepared statements left|ECONNRESET/);
      expect(existsSync(path.join(dataDir, 'service.pid'))).toBe(false);
      // What a crash leaves: the file of a process that is gone, which the next start takes over.
      const gone = spawn(process.execPath, ['-e', '0']);
      await new Promise((resolve) => gone.once('exit', resolve));
      writeFileSync(path.join(dataDir, 'service.pid'), JSON.stringify({ pid: gone.pid, since: 'a crash' }));

      const second = runService({ PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info' });
      started.push(second);
      const [, sameKey] = await second.waitFor(/API key \(x-api-key\): (\S+)/, 90_000);
      expect(sameKey).toBe(key);
      expect(second.output()).not.toContain('Embedded database created');
      expect(await database()).toEqual(created);
      // Deleted under it (a clone removed while the service ran): it stops at once rather than write into
      // whatever is made at that path next.
      rmSync(dataDir, { recursive: true, force: true });
      expect(await second.exited).toBe(1);
      expect(second.output()).toMatch(/Stopping at once: the data directory .* was deleted/);
    } finally {
      for (const service of started) {
        service.child.kill('SIGKILL');
        await service.exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('should run on PostgreSQL when DATABASE_URL is set, with the key from API_KEY', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-start-'));
    try {
      const port = await freePort();
      const apiKey = 'sk_from_environment_0123456789';
      const service = runService({
        PORT: String(port),
        DATA_DIR: dataDir,
        DATABASE_URL: testDatabaseUrl('postgres'),
        API_KEY: apiKey,
      });
      await service.waitFor(/API key \(x-api-key\): the value of API_KEY/);
      expect(service.output()).toMatch(/PostgreSQL/);
      const response = await graphql(`http://127.0.0.1:${port}`, apiKey, '{ campaigns { pageInfo { hasNextPage } } }');
      expect(response.errors).toBeUndefined();
      service.child.kill('SIGTERM');
      expect(await service.exited).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/** The time of day, in ms, of the first pretty log line containing `text`. */
function lineTime(output: string, text: string): number {
  const line = output.split('\n').find((l) => l.includes(text));
  const time = line ? /^\[(\d{2}:\d{2}:\d{2}\.\d{3})\]/.exec(line) : null;
  if (!time) {
    throw new Error(`no pretty log line with "${text}" in:\n${output}`);
  }
  return millisOfDay(time[1]);
}

/** HH:MM:ss.lll as milliseconds since midnight. */
function millisOfDay(time: string): number {
  const [hours, minutes, seconds] = time.split(':').map(Number);
  return ((hours * 60 + minutes) * 60 + seconds) * 1000;
}
