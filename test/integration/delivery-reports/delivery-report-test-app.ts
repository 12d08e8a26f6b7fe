import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { smsGatewayRoot } from '../../../src/app.module';
import { AuthModule } from '../../../src/common/auth/auth.module';
import { MetricsModule } from '../../../src/common/metrics/metrics.module';
import { MetricsService } from '../../../src/common/metrics/metrics.service';
import { signPlivoV3 } from '../../../src/common/plivo-signature/plivo-v3-signature';
import { AppConfig, DELIVERY_REPORT_PATH } from '../../../src/config/app-config.service';
import { ConfigModule } from '../../../src/config/config.module';
import { InvalidEnvironmentError, validateEnvironment } from '../../../src/config/env.schema';
import { DeliveryReportApplier } from '../../../src/delivery-reports/delivery-report-applier.service';
import { DeliveryReportBodyParser } from '../../../src/delivery-reports/delivery-report-body.parser';
import { DeliveryReportIntake } from '../../../src/delivery-reports/delivery-report-intake.service';
import { DeliveryReportsModule } from '../../../src/delivery-reports/delivery-reports.module';
import { OverdueReportPoller } from '../../../src/delivery-reports/overdue-report-poller.service';
import { ReceiptWindowService } from '../../../src/delivery-reports/receipt-window.service';
import { CampaignEvents } from '../../../src/domain/campaign-events';
import { PersistenceModule } from '../../../src/persistence/persistence.module';
import { PrismaService } from '../../../src/persistence/prisma.service';
import { CampaignFactory } from '../../factories/campaign.factory';
import { TestDatabaseKind, testDatabaseUrl } from '../../utils/test-databases';

export const TEST_WEBHOOK_SECRET = 'dr-test-webhook-secret-0001';
/** The public URL Plivo calls (behind a proxy): signatures cover it, not 127.0.0.1:port. */
export const TEST_API_BASE_URL = 'https://sms.example.test';

/** Records every campaignsChanged call (the lead binds the real implementation in the app module). */
export class RecordingCampaignEvents extends CampaignEvents {
  readonly changed: string[] = [];
  campaignsChanged(campaignIds: Iterable<string>): void {
    this.changed.push(...campaignIds);
  }
}

export interface DeliveryReportTestApp {
  app: NestExpressApplication;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  config: AppConfig;
  prisma: PrismaService;
  factory: CampaignFactory;
  events: RecordingCampaignEvents;
  intake: DeliveryReportIntake;
  applier: DeliveryReportApplier;
  receiptWindow: ReceiptWindowService;
  poller: OverdueReportPoller;
  metrics: MetricsService;
  close(): Promise<void>;
}

let nonceCounter = 0;

/** A fresh nonce per call (20 digits, like Plivo's). */
export function nextNonce(): string {
  nonceCounter++;
  return `${Date.now()}${String(process.pid % 1000).padStart(3, '0')}${String(nonceCounter).padStart(4, '0')}`.slice(
    -20,
  );
}

/**
 * The delivery-reports slice of the app, bootstrapped like src/bootstrap.ts (raw body, the
 * webhook's own small body parser first, then the global parsers) on a random port.
 */
export async function startDeliveryReportTestApp(
  database: TestDatabaseKind,
  env: Record<string, string> = {},
): Promise<DeliveryReportTestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-dr-'));
  const { env: validated, errors } = validateEnvironment({
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    DATABASE_URL: testDatabaseUrl(database),
    API_BASE_URL: TEST_API_BASE_URL,
    PLIVO_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    ...env,
  });
  if (!validated) {
    throw new InvalidEnvironmentError(errors);
  }
  const events = new RecordingCampaignEvents();
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(validated),
      MetricsModule,
      PersistenceModule,
      AuthModule,
      smsGatewayRoot(),
      DeliveryReportsModule,
    ],
  })
    .overrideProvider(CampaignEvents)
    .useValue(events)
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({
    rawBody: true,
    bodyParser: false,
    logger: ['error', 'warn'],
  });
  const config = app.get(AppConfig);
  app.use(DELIVERY_REPORT_PATH, app.get(DeliveryReportBodyParser).middleware);
  app.useBodyParser('json', { limit: config.bodyLimit });
  app.useBodyParser('urlencoded', { limit: config.bodyLimit, extended: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const prisma = app.get(PrismaService);
  return {
    app,
    baseUrl: `http://127.0.0.1:${address.port}`,
    config,
    prisma,
    factory: new CampaignFactory(prisma),
    events,
    intake: app.get(DeliveryReportIntake),
    applier: app.get(DeliveryReportApplier),
    receiptWindow: app.get(ReceiptWindowService),
    poller: app.get(OverdueReportPoller),
    metrics: app.get(MetricsService),
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface SendOptions {
  batchId?: string;
  method?: 'GET' | 'POST';
  nonce?: string;
  secret?: string;
  /** Which header carries the signature. */
  header?: 'x-plivo-signature-v3' | 'x-plivo-signature-ma-v3';
  /** Overrides the computed signature (forgeries). */
  signature?: string | null;
  json?: boolean;
  extraHeaders?: Record<string, string>;
}

/** Sends one delivery report the way Plivo does: signed over the public URL, form-encoded POST by default. */
export async function sendReport(
  target: { baseUrl: string; config: AppConfig },
  params: Record<string, string>,
  options: SendOptions = {},
): Promise<Response> {
  const method = options.method ?? 'POST';
  const nonce = options.nonce ?? nextNonce();
  const batchQuery = options.batchId ? `batch=${options.batchId}` : '';
  const query =
    method === 'GET' ? [batchQuery, new URLSearchParams(params).toString()].filter(Boolean).join('&') : batchQuery;
  const pathAndQuery = `${DELIVERY_REPORT_PATH}${query ? `?${query}` : ''}`;
  const signedUrl = `${target.config.apiBaseUrl}${pathAndQuery}`;
  const signature =
    options.signature === undefined
      ? signPlivoV3(method, signedUrl, nonce, options.secret ?? TEST_WEBHOOK_SECRET, method === 'GET' ? {} : params)
      : options.signature;
  const headers: Record<string, string> = { 'X-Plivo-Signature-V3-Nonce': nonce, ...options.extraHeaders };
  if (signature !== null) {
    headers[options.header ?? 'x-plivo-signature-v3'] = signature;
  }
  let body: string | undefined;
  if (method === 'POST') {
    headers['Content-Type'] = options.json ? 'application/json' : 'application/x-www-form-urlencoded';
    body = options.json ? JSON.stringify(params) : new URLSearchParams(params).toString();
  }
  return fetch(`${target.baseUrl}${pathAndQuery}`, { method, headers, body });
}

/** Plivo-shaped callback fields for one status of one message. */
export function plivoReport(fields: {
  uuid: string;
  to: string;
  status: string;
  sequence: number;
  errorCode?: string;
  amount?: string;
}): Record<string, string> {
  const final = ['delivered', 'undelivered', 'failed', 'rejected'].includes(fields.status);
  const amount = fields.amount ?? (fields.status === 'failed' || fields.status === 'queued' ? '0.00000' : '0.00450');
  return {
    MessageUUID: fields.uuid,
    To: fields.to.replace(/^\+/, ''),
    From: '14155550100',
    Type: 'sms',
    Status: fields.status,
    Sequence: String(fields.sequence),
    Units: '1',
    TotalRate: '0.00450',
    TotalAmount: amount,
    MCC: '234',
    MNC: '10',
    ...(fields.errorCode !== undefined && { ErrorCode: fields.errorCode }),
    MessageTime: '2026-11-27 10:00:00.000000',
    QueuedTime: '2026-11-27 10:00:00.100000',
    ...(fields.status !== 'queued' && { SentTime: '2026-11-27 10:00:01.000000' }),
    ...(final && { DeliveryReportTime: '2026-11-27 10:00:05.000000' }),
    ParentMessageUUID: fields.uuid,
    PartInfo: '1 of 1',
  };
}
