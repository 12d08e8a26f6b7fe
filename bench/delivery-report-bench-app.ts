import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp } from '../src/bootstrap';
import { DELIVERY_REPORT_PATH } from '../src/config/app-config.service';
import { InvalidEnvironmentError, validateEnvironment } from '../src/config/env.schema';
import { DeliveryReportIntake } from '../src/delivery-reports/delivery-report-intake.service';
import { DATABASE_URL } from '../src/persistence/database.providers';

/**
 * The whole app, exactly as bootstrap.ts builds it; without DATABASE_URL in `env` it runs on the
 * embedded PGlite (in a fresh DATA_DIR), and `databaseUrl` is the socket URL it serves.
 */
export async function createDeliveryReportBenchApp(
  env: Record<string, string>,
  intake: { maxInFlight?: number; maxBatch?: number } = {},
): Promise<{ baseUrl: string; path: string; databaseUrl: string; close(): Promise<void> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-dr-bench-'));
  const { env: validated, errors } = validateEnvironment({ NODE_ENV: 'test', PORT: '0', DATA_DIR: dataDir, ...env });
  if (!validated) {
    throw new InvalidEnvironmentError(errors);
  }
  const app = await createApp(validated);
  app.get(DeliveryReportIntake).configure(intake);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    path: DELIVERY_REPORT_PATH,
    databaseUrl: app.get<string>(DATABASE_URL),
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
