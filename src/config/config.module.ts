import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule as NestConfigModule, ConfigService } from '@nestjs/config';
import { AppConfig } from './app-config.service';
import { Environment, loadEnvironment } from './env.schema';

/**
 * `@nestjs/config` loads `.env` into the environment; `loadEnvironment` validates it once.
 * Tests pass an explicit environment and no file is read.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(env?: Environment): DynamicModule {
    return {
      module: ConfigModule,
      imports: [
        NestConfigModule.forRoot({
          ignoreEnvFile: env !== undefined,
          load: [() => ({ environment: env ?? loadEnvironment() })],
        }),
      ],
      providers: [
        {
          provide: AppConfig,
          inject: [ConfigService],
          useFactory: (config: ConfigService) => new AppConfig(config.getOrThrow<Environment>('environment')),
        },
      ],
      exports: [AppConfig],
    };
  }
}
