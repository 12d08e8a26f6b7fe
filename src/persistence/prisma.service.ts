import { OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(databaseUrl: string, poolMax: number) {
    super({
      adapter: new PrismaPg({ connectionString: databaseUrl, max: poolMax }),
      // PGlite runs one backend, so transactions queue behind each other: the default 2 s
      // maxWait gives spurious P2028 errors under load.
      transactionOptions: { maxWait: 15_000, timeout: 30_000 },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
