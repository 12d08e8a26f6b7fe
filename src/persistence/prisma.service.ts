import { BeforeApplicationShutdown, Logger } from '@nestjs/common';
import { PrismaClient } from '../generated/prisma/client';
import { guardedPool } from './guarded-pool';
import { ReleasingPrismaPg } from './releasing-prisma-pg';

// A query waits at most this long for a pool connection: an error the callers retry, not a hang.
const CONNECTION_WAIT_MS = 30_000;

export class PrismaService extends PrismaClient implements BeforeApplicationShutdown {
  constructor(databaseUrl: string, poolMax: number) {
    super({
      adapter: new ReleasingPrismaPg(
        guardedPool(
          {
            connectionString: databaseUrl,
            // Names the service's connections in pg_stat_activity.
            application_name: 'bulk-sms',
            max: poolMax,
            connectionTimeoutMillis: CONNECTION_WAIT_MS,
          },
          (error) => new Logger('Database').warn(`Idle database connection lost: ${error.message}`),
        ),
        { disposeExternalPool: true },
      ),
      // PGlite runs one backend, so transactions queue behind each other: the default 2 s
      // maxWait gives spurious P2028 errors under load.
      transactionOptions: { maxWait: 15_000, timeout: 30_000 },
    });
  }

  // After every module's onModuleDestroy (the dispatcher drains there), before the embedded
  // database stops (onApplicationShutdown).
  async beforeApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
