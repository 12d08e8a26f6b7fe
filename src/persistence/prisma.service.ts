import { BeforeApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

export class PrismaService extends PrismaClient implements BeforeApplicationShutdown {
  constructor(databaseUrl: string, poolMax: number) {
    super({
      adapter: new PrismaPg({ connectionString: databaseUrl, max: poolMax }),
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
