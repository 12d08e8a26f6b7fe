import { NestFactory } from '@nestjs/core';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger, PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { CAMPAIGN_UPLOAD_ROUTE } from './campaigns/campaign-upload.controller';
import { MAX_RECIPIENTS_PER_CAMPAIGN } from './campaigns/dto/send-bulk.input';
import { ConsoleSessionMiddleware } from './common/auth/console-session.middleware';
import { graphqlExplorer } from './common/graphql/graphql-explorer';
import { bulkRecipientsMiddleware } from './common/graphql/bulk-recipients';
import { GraphqlRequestGate } from './common/graphql/graphql-request-gate';
import { GraphqlWsConnections } from './common/graphql/graphql-ws-connections';
import { limitWebSocketMessageSize } from './common/graphql/websocket-message-limit';
import { pinoParams } from './common/logging/pino-params';
import { BulkRequestSlots } from './common/http/bulk-request-slots';
import { keepConnectionsLongerThanClients } from './common/http/keep-alive';
import { rejectQueryNotUtf8 } from './common/http/query-encoding';
import { requestBodyParsers } from './common/http/request-body-parsers';
import { RequestDrain } from './common/http/request-drain';
import { MetricsService } from './common/metrics/metrics.service';
import { AppConfig, DELIVERY_REPORT_PATH } from './config/app-config.service';
import { DeliveryReportBodyParser } from './delivery-reports/delivery-report-body.parser';
import { parseByteSize } from './delivery-reports/webhook-body';
import { Environment } from './config/env.schema';
import { keepBulkJsonWorkerReady } from './common/http/bulk-json-body';
import { keepValidationWorkersReady } from './messaging/recipient-worker-pool';
import { RECIPIENT_LISTS_ROUTE } from './recipient-lists/recipient-lists.controller';

/** How long close() lets requests in flight finish, leaving the shutdown hooks 10 s of main's 30 s. */
const REQUEST_DRAIN_MS = 20_000;

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
 * close() first stops taking requests and lets those in flight finish (RequestDrain), then closes the
 * graphql-ws connections so that their clients reconnect, then runs Nest's close: the modules' shutdown
 * hooks, which disconnect the database, and the HTTP server's close.
 */
function drainRequestsBeforeClosing(app: NestExpressApplication): void {
  const server = app.getHttpServer();
  const drain = app.get(RequestDrain);
  drain.attach(server);
  // Nest's own close, from the prototype: the app is a Proxy whose methods look themselves up at call
  // time (so a bound app.close would call the one defined below), and whose set trap ignores
  // assignments (so it is defined, not assigned).
  const nest = Object.getPrototypeOf(app) as NestExpressApplication;
  Object.defineProperty(app, 'close', {
    configurable: true,
    writable: true,
    value: async () => {
      await drain.stop(server, REQUEST_DRAIN_MS);
      app.get(GraphqlWsConnections).closeAllForShutdown();
      await nest.close.call(app);
    },
  });
}

/**
 * The logger of the start-up, before Nest's dependency injection has made the application's own: the same
 * pino settings, and the same pino instance (nestjs-pino keeps the first it makes for every logger out of a
 * request). Nest's `bufferLogs` held these lines until the application's logger was ready, and pino then
 * stamped them all with that moment: the lines of a 6 s start (the embedded database's) had one time.
 */
async function startupLogger(env: Environment): Promise<Logger> {
  const params = await pinoParams(new AppConfig(env));
  return new Logger(new PinoLogger(params), params);
}

/**
 * Builds and initialises the application: GraphQL requests authenticated before their body is
 * read, bodies limited (BODY_LIMIT for everyone, BULK_BODY_LIMIT for an authenticated sendBulk
 * or quote, BULK_BODY_CONCURRENCY of those at a time), graphql-ws messages limited to BODY_LIMIT, raw body kept for webhook signatures,
 * pino logs; requests in flight finish before close() stops the modules.
 */
export async function createApp(env: Environment): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(env), {
    bodyParser: false,
    logger: await startupLogger(env),
  });
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
  keepConnectionsLongerThanClients(app.getHttpServer());
  routeDeliveryReportsAroundExpress(app);
  drainRequestsBeforeClosing(app);
  app.use(rejectQueryNotUtf8);
  if (config.graphqlExplorer) {
    // Before the console session and the gate: the explorer's page and assets are static and need no key.
    app.use(graphqlExplorer());
  }
  app.use(app.get(ConsoleSessionMiddleware).middleware);
  app.use(app.get(GraphqlRequestGate).middleware);
  app.use(
    requestBodyParsers(
      { bodyLimit: config.bodyLimit, bulkBodyLimit: config.bulkBodyLimit },
      new BulkRequestSlots(config.bulkBodyConcurrency, app.get(MetricsService), config.bulkBodyIdleTimeoutMs),
      { maxRecipients: MAX_RECIPIENTS_PER_CAMPAIGN, metrics: app.get(MetricsService) },
      [RECIPIENT_LISTS_ROUTE, CAMPAIGN_UPLOAD_ROUTE],
    ),
  );
  app.use(bulkRecipientsMiddleware(config.graphql.maxTokens, app.get(MetricsService)));
  await app.init();
  limitWebSocketMessageSize(app, parseByteSize(config.bodyLimit));
  if (config.workerThreadsReady) {
    // Started now, warmed up on their threads; closed with the app (IdleWorkerPoolsShutdown).
    void keepBulkJsonWorkerReady();
    void keepValidationWorkersReady();
  }
  return app;
}
