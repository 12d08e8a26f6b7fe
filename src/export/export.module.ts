import { Module } from '@nestjs/common';
import { MessageExportRepository } from '../persistence/message-export.repository';
import { CampaignExportController } from './campaign-export.controller';
import { MessageExportService } from './message-export.service';

/** Per-recipient exports of a campaign (CSV and NDJSON). */
@Module({
  controllers: [CampaignExportController],
  providers: [MessageExportRepository, MessageExportService],
})
export class ExportModule {}
