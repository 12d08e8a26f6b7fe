import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import { AppConfig } from '../../config/app-config.service';
import { REDACTED_PATHS, REDACTION_CENSOR, redactUrl } from './redaction';

const QUIET_ROUTES = ['/health', '/ready', '/metrics'];

/** pino's settings: JSON in production and tests, pretty otherwise; secrets and phone numbers redacted. */
export async function pinoParams(config: AppConfig): Promise<Params> {
  const options = {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: REDACTION_CENSOR },
    autoLogging: {
      ignore: (req: IncomingMessage) => QUIET_ROUTES.some((route) => req.url?.startsWith(route) ?? false),
    },
    // Request logs carry method, path and status; never bodies, query strings or variables.
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.url),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
  if (config.isProduction || config.nodeEnv === 'test') {
    return { pinoHttp: options };
  }
  // Pretty lines are formatted on the main thread, written synchronously (in order with the start-up
  // banner), rather than by pino's `transport`, which runs them in a worker thread of its own: that
  // thread held ~35 MB of the idle zero-config service (246–261 MB of RSS against 210–232). Loaded
  // only here: production has no use for it.
  const { default: PinoPretty } = await import('pino-pretty');
  return {
    pinoHttp: [options, PinoPretty({ singleLine: true, translateTime: 'SYS:HH:MM:ss.l', sync: true })],
  };
}
