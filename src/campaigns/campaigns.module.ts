import { Module } from '@nestjs/common';
import { MessagingModule } from '../messaging/messaging.module';
import { PricingModule } from '../pricing/pricing.module';
import { CampaignCommandsResolver } from './campaign-commands.resolver';
import { CampaignControlService } from './campaign-control.service';
import { CampaignProgressResolver } from './campaign-progress.resolver';
import { CampaignStallMonitor } from './campaign-stall-monitor.service';
import { CampaignsResolver } from './campaigns.resolver';
import { CampaignsService } from './campaigns.service';
import { MessageConnectionResolver } from './message-connection.resolver';
import { RejectedRecipientsResolver } from './rejected-recipients.resolver';
import { SendBulkService } from './send-bulk.service';

@Module({
  imports: [MessagingModule, PricingModule],
  providers: [
    CampaignsService,
    SendBulkService,
    CampaignControlService,
    CampaignsResolver,
    CampaignCommandsResolver,
    MessageConnectionResolver,
    CampaignProgressResolver,
    RejectedRecipientsResolver,
    CampaignStallMonitor,
  ],
  exports: [CampaignsService],
})
export class CampaignsModule {}
