import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { AppConfig } from '../../config/app-config.service';
import { REDACTED_PATHS, REDACTION_CENSOR, redactUrl } from './redaction';

const QUIET_ROUTES = ['/health', '/ready', '/metrics'];

/** pino: JSON in production, pretty otherwise; secrets and phone numbers redacted. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          redact: { paths: REDACTED_PATHS, censor: REDACTION_CENSOR },
          transport:
            config.isProduction || config.nodeEnv === 'test'
              ? undefined
              : { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } },
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
        },
      }),
    }),
  ],
})
export class LoggingModule {}
