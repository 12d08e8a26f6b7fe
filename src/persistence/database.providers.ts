import { Injectable, Logger, OnApplicationShutdown, Provider } from '@nestjs/common';
import { AppConfig } from '../config/app-config.service';
import { EmbeddedPostgres } from './embedded-postgres';
import { applyMigrations } from './migrator';
import { PrismaService } from './prisma.service';

export const DATABASE_URL = Symbol('DATABASE_URL');

/** Owns the embedded database when DATABASE_URL is unset; closes it after Prisma disconnects. */
@Injectable()
export class EmbeddedDatabase implements OnApplicationShutdown {
  private readonly embedded = new EmbeddedPostgres();

  start(dataDir: string, maxConnections: number): Promise<string> {
    return this.embedded.start(dataDir, maxConnections);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.embedded.stop();
  }
}

export const databaseProviders: Provider[] = [
  EmbeddedDatabase,
  {
    provide: DATABASE_URL,
    inject: [AppConfig, EmbeddedDatabase],
    useFactory: async (config: AppConfig, embedded: EmbeddedDatabase): Promise<string> => {
      const logger = new Logger('Database');
      const started = Date.now();
      // pglite-socket drops sockets above maxConnections at once: leave headroom over the pool.
      const url = config.databaseUrl ?? (await embedded.start(config.dataDir, config.dbPoolMax * 4 + 8));
      const { applied, alreadyApplied } = await applyMigrations(url);
      logger.log(
        `${config.databaseUrl ? 'PostgreSQL' : `embedded PGlite in ${config.dataDir}`} ready in ${Date.now() - started} ms ` +
          `(${applied.length} migrations applied, ${alreadyApplied} already there)`,
      );
      return url;
    },
  },
  {
    provide: PrismaService,
    inject: [DATABASE_URL, AppConfig],
    useFactory: (url: string, config: AppConfig) => new PrismaService(url, config.dbPoolMax),
  },
];
