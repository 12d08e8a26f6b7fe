import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AppModule } from '../src/app.module';
import { AppConfig, DELIVERY_REPORT_PATH } from '../src/config/app-config.service';
import { InvalidEnvironmentError, validateEnvironment } from '../src/config/env.schema';
import { DeliveryReportBodyParser } from '../src/delivery-reports/delivery-report-body.parser';
import { DeliveryReportIntake } from '../src/delivery-reports/delivery-report-intake.service';
import { DeliveryReportsModule } from '../src/delivery-reports/delivery-reports.module';

/** The whole app plus DeliveryReportsModule (harmless once AppModule imports it), as bootstrap.ts builds it. */
export async function createDeliveryReportBenchApp(
  env: Record<string, string>,
  intake: { maxInFlight?: number; maxBatch?: number } = {},
): Promise<{ baseUrl: string; path: string; close(): Promise<void> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-dr-bench-'));
  const { env: validated, errors } = validateEnvironment({ NODE_ENV: 'test', PORT: '0', DATA_DIR: dataDir, ...env });
  if (!validated) {
    throw new InvalidEnvironmentError(errors);
  }
  @Module({ imports: [AppModule.forRoot(validated), DeliveryReportsModule] })
  class DeliveryReportBenchModule {}
  const app = await NestFactory.create<NestExpressApplication>(DeliveryReportBenchModule, {
    rawBody: true,
    bodyParser: false,
    bufferLogs: true,
  });
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
  app.use(DELIVERY_REPORT_PATH, app.get(DeliveryReportBodyParser).middleware);
  app.useBodyParser('json', { limit: config.bodyLimit });
  app.useBodyParser('urlencoded', { limit: config.bodyLimit, extended: false });
  app.get(DeliveryReportIntake).configure(intake);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    path: DELIVERY_REPORT_PATH,
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
