import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../../config/app-config.service';
import { pinoParams } from './pino-params';

/** pino for the application's logs and its request logs (settings in pino-params.ts). */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: pinoParams,
    }),
  ],
})
export class LoggingModule {}
