import 'reflect-metadata';
import { createApp } from './bootstrap';
import { BootstrapApiKeyService } from './common/auth/bootstrap-api-key.service';
import { AppConfig } from './config/app-config.service';
import { InvalidEnvironmentError, loadEnvironment } from './config/env.schema';
import { DataDirLock } from './persistence/data-dir-lock';
import { DatabaseStartupError, ensureDatabaseExists } from './persistence/ensure-database';
import { config as loadDotEnv } from 'dotenv';

const SHUTDOWN_TIMEOUT_MS = 30_000;

async function main(): Promise<void> {
  loadDotEnv({ quiet: true });
  let env;
  try {
    env = loadEnvironment(process.env);
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const dataDirInUse = env.DATABASE_URL ? undefined : DataDirLock.inUseBy(env.DATA_DIR);
  if (dataDirInUse) {
    process.stderr.write(`Failed to start: ${dataDirInUse}\n`);
    process.exit(1);
  }
  if (env.DATABASE_URL && (await ensureDatabaseExists(env.DATABASE_URL)) === 'created') {
    process.stderr.write('The database named in DATABASE_URL did not exist: created it\n');
  }
  const app = await createApp(env);
  const config = app.get(AppConfig);
  stopGracefullyOnSignals(() => app.close());
  await app.listen(config.port);
  const keys = app.get(BootstrapApiKeyService);
  const key = keys.bootstrapKey;
  const adminKey = keys.adminKey;
  // Printed once to the terminal, deliberately outside the (redacted) logs.
  process.stdout.write(
    [
      '',
      `Bulk SMS service ready on ${config.apiBaseUrl}/graphql (${config.isSandbox ? 'Plivo sandbox' : 'Plivo'}, ` +
        `${config.databaseUrl ? 'PostgreSQL' : `embedded PGlite in ${config.dataDir}`})`,
      key?.generatedKey
        ? `API key (x-api-key): ${key.generatedKey}   (kept in ${key.keyFile})`
        : 'API key (x-api-key): the value of API_KEY',
      adminKey?.generatedKey
        ? `Admin key (x-api-key, accounts and keys only): ${adminKey.generatedKey}   (kept in ${adminKey.keyFile})`
        : adminKey
          ? 'Admin key (x-api-key, accounts and keys only): the value of ADMIN_API_KEY'
          : 'Admin key: none (set ADMIN_API_KEY to manage accounts and keys)',
      ...(config.isSandbox
        ? []
        : [
            'Webhook URLs Plivo must reach (docs/production.md):',
            `  delivery reports (POST, sent with every message as its callback url): ${config.deliveryReportUrl}`,
            `  inbound messages (POST, the Message URL of your Plivo application, for STOP/START/HELP): ${config.inboundMessageUrl}`,
            `  signatures: X-Plivo-Signature-V3, checked with ${config.webhookSecretSource}`,
          ]),
      ...(config.graphqlExplorer ? [`GraphQL explorer: open ${config.apiBaseUrl}/graphql in a browser`] : []),
      '',
    ].join('\n') + '\n',
  );
}

/**
 * SIGTERM/SIGINT: stop taking work, let in-flight work finish or be released (each module's
 * shutdown hooks), close the database, exit 0. A second signal or 30 s later, exit at once.
 */
function stopGracefullyOnSignals(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`${signal} received: shutting down\n`);
    setTimeout(() => process.exit(1), SHUTDOWN_TIMEOUT_MS).unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`Shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  if (error instanceof DatabaseStartupError) {
    process.stderr.write(`Failed to start: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
