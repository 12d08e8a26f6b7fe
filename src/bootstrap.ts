import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config.service';
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
  app.useBodyParser('json', { limit: config.bodyLimit });
  app.useBodyParser('urlencoded', { limit: config.bodyLimit, extended: false });
  return app;
}
