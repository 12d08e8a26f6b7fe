import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig, DELIVERY_REPORT_PATH } from './config/app-config.service';
import { DeliveryReportBodyParser } from './delivery-reports/delivery-report-body.parser';
import { Environment } from './config/env.schema';

/**
 * Builds the application: raw body kept for webhook signatures, body size limited, pino logs.
 */
export async function createApp(env?: Environment): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(env), {
    rawBody: true,
    bodyParser: false,
    bufferLogs: true,
  });
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
  // Delivery reports are read first, with their own small limit, and answered without the router.
  app.use(DELIVERY_REPORT_PATH, app.get(DeliveryReportBodyParser).middleware);
  app.useBodyParser('json', { limit: config.bodyLimit });
  app.useBodyParser('urlencoded', { limit: config.bodyLimit, extended: false });
  return app;
}
