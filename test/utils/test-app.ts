import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp } from '../../src/bootstrap';
import { ApiKeyHasher } from '../../src/common/auth/api-key-hasher';
import { InvalidEnvironmentError, validateEnvironment } from '../../src/config/env.schema';
import { ApiKeyRepository } from '../../src/persistence/api-key.repository';
import { closeWithin, trackOpen, untrackOpen } from './open-resources';
import { freePort } from './service-process';
import { stopBackgroundWork } from './stop-background-work';
import { scaledTimeout } from './time-factor';
import { watchShutdownHooks } from './shutdown-hooks-under-way';
import { reportPgliteQueue, TestDatabaseKind, testDatabaseUrl } from './test-databases';

export interface TestApp {
  app: NestExpressApplication;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  dataDir: string;
  /** A fresh account with its own key, so tests never share state. */
  newAccount(): Promise<{ accountId: string; apiKey: string }>;
  close(): Promise<void>;
}

/** Starts the whole application on a random port against one of the test databases. */
export async function startTestApp(database: TestDatabaseKind, env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-test-'));
  // The port is chosen first so that callback URLs (API_BASE_URL) point at this very app; env.PORT
  // starts it where an app before it ran (a restart, for the clients of that one).
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const { env: validated, errors } = validateEnvironment({
    NODE_ENV: 'test',
    PORT: String(port),
    API_BASE_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    DATABASE_URL: testDatabaseUrl(database),
    // A report not committed within the default 1 s is answered 503 (Plivo retries it). On a busy CI
    // machine a first commit took longer, so tests that expect 200 wait up to 7 s (Plivo waits 8 s).
    WEBHOOK_ANSWER_TIMEOUT_MS: '7000',
    // Tests poll campaigns through GraphQL every 50 ms with one account: brake.e2e once passed the
    // default 600 a minute. The rate-limit tests set their own.
    GRAPHQL_RATE_LIMIT: '100000',
    ...env,
  });
  if (!validated) {
    throw new InvalidEnvironmentError(errors);
  }
  const app = await createApp(validated);
  await app.listen(port, '127.0.0.1');
  const hasher = app.get(ApiKeyHasher);
  const keys = app.get(ApiKeyRepository);
  // Forcing: no more connections in or out of the HTTP server, and the app's own loops stopped (the
  // suite fails, naming the app). Loops left running would outlive this file's Jest environment,
  // where every Prisma query fails with "Maximum call stack size exceeded" (Jest's soft-deleted
  // globals), and would keep claiming work from the database the next files share.
  const force = (): void => {
    const server = app.getHttpServer();
    server.close();
    server.closeAllConnections();
    stopBackgroundWork(app);
  };
  const handle = {};
  trackOpen(handle, `test app on port ${port} (${database})`, force);
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    dataDir,
    async newAccount() {
      const apiKey = hasher.generate();
      const { accountId } = await keys.createAccountWithKey(`test-${apiKey.slice(-8)}`, hasher.hash(apiKey), 'test');
      return { accountId, apiKey };
    },
    async close() {
      untrackOpen(handle);
      try {
        const hooksUnderWay = watchShutdownHooks(app);
        // A hang there has been the database's hooks waiting on PGlite (rare): its queue's state is printed.
        const forceAfterHang = async (): Promise<void> => {
          if (database === 'pglite') {
            await reportPgliteQueue();
          }
          force();
        };
        await closeWithin(
          `test app on port ${port}`,
          () => app.close(),
          scaledTimeout(30_000),
          forceAfterHang,
          hooksUnderWay,
        );
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
