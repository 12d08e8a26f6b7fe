import { Module } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import { AuditModule } from '../audit/audit.module';
import { ConsoleRequestGuard } from './console-request.guard';
import { ConsoleSessionController } from './console-session.controller';
import { consoleStaticOptions } from './console-static.options';

/** The web console: its sign-in endpoints, and the single-page app (web/) served at `/`. */
@Module({
  imports: [ServeStaticModule.forRoot(consoleStaticOptions()), AuditModule],
  controllers: [ConsoleSessionController],
  providers: [ConsoleRequestGuard],
})
export class ConsoleModule {}
