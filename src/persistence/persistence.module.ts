import { Global, Module } from '@nestjs/common';
import { ApiKeyRepository } from './api-key.repository';
import { CampaignRepository } from './campaign.repository';
import { HealthRepository } from './health.repository';
import { MessageRepository } from './message.repository';
import { DATABASE_URL, databaseProviders } from './database.providers';
import { PrismaService } from './prisma.service';

const repositories = [ApiKeyRepository, CampaignRepository, HealthRepository, MessageRepository];

/** The shared persistence layer: the only code that talks to Prisma. */
@Global()
@Module({
  providers: [...databaseProviders, ...repositories],
  exports: [PrismaService, DATABASE_URL, ...repositories],
})
export class PersistenceModule {}
