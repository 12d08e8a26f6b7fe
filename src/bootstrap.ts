import { NestFactory } from '@nestjs/core';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig, DELIVERY_REPORT_PATH } from './config/app-config.service';
import { DeliveryReportBodyParser } from './delivery-reports/delivery-report-body.parser';
import { Environment } from './config/env.schema';

/**
 * Plivo's status callbacks are the hot path (thousands per second): the HTTP server hands them to
 * the webhook handler directly, with its own small body limit, before Express and its router,
 * parsers and request logging see them. Everything else goes to Express as usual.
 */
function routeDeliveryReportsAroundExpress(app: NestExpressApplication): void {
  const server = app.getHttpServer();
  const [express] = server.listeners('request') as RequestListener[];
  const webhook = app.get(DeliveryReportBodyParser).middleware;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse) => {
    const url = req.url ?? '';
    const next = url.charAt(DELIVERY_REPORT_PATH.length);
    if (url.startsWith(DELIVERY_REPORT_PATH) && (next === '' || next === '?' || next === '/')) {
      req.originalUrl = url;
      // next(): not a delivery-report method, Express answers; next(error): the upload broke off.
      webhook(req as Parameters<typeof webhook>[0], res, (error?: unknown) =>
        error ? res.destroy() : express(req, res),
      );
    } else {
      express(req, res);
    }
  });
}

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
  routeDeliveryReportsAroundExpress(app);
  app.useBodyParser('json', { limit: config.bodyLimit });
  app.useBodyParser('urlencoded', { limit: config.bodyLimit, extended: false });
  return app;
}
