import { Global, Module } from '@nestjs/common';
import { AccountRepository } from './account.repository';
import { AccountSettingsRepository } from './account-settings.repository';
import { ApiKeyRepository } from './api-key.repository';
import { AuditLogRepository } from './audit-log.repository';
import { CampaignRepository } from './campaign.repository';
import { CampaignStallRepository } from './campaign-stall.repository';
import { ConsoleSessionRepository } from './console-session.repository';
import { HealthRepository } from './health.repository';
import { DispatchRepository } from './dispatch.repository';
import { MessageRepository } from './message.repository';
import { SuppressionRepository } from './suppression.repository';
import { DATABASE_URL, databaseProviders } from './database.providers';
import { PrismaService } from './prisma.service';
import { CostReportRepository } from './cost-report.repository';
import { PriceRepository } from './price.repository';
import { DeliveryReportRepository } from './delivery-report.repository';
import { ReceiptWindowRepository } from './receipt-window.repository';
import { Transactor } from './transactor';
import { SendingHoldRepository } from './sending-hold.repository';
import { BrakeRepository } from './brake.repository';

const repositories = [
  AccountRepository,
  AccountSettingsRepository,
  ApiKeyRepository,
  AuditLogRepository,
  CampaignRepository,
  CampaignStallRepository,
  ConsoleSessionRepository,
  DispatchRepository,
  HealthRepository,
  MessageRepository,
  SuppressionRepository,
  PriceRepository,
  CostReportRepository,
  DeliveryReportRepository,
  ReceiptWindowRepository,
  Transactor,
  SendingHoldRepository,
  BrakeRepository,
];

/** The shared persistence layer: the only code that talks to Prisma. */
@Global()
@Module({
  providers: [...databaseProviders, ...repositories],
  exports: [PrismaService, DATABASE_URL, ...repositories],
})
export class PersistenceModule {}
