import { Module } from '@nestjs/common';
import { MessagingModule } from '../messaging/messaging.module';
import { PricingModule } from '../pricing/pricing.module';
import { CampaignCancellationResolver } from './campaign-cancellation.resolver';
import { CampaignCommandsResolver } from './campaign-commands.resolver';
import { CampaignControlService } from './campaign-control.service';
import { CampaignProgressResolver } from './campaign-progress.resolver';
import { CampaignsResolver } from './campaigns.resolver';
import { CampaignsService } from './campaigns.service';
import { MessageConnectionResolver } from './message-connection.resolver';
import { SendBulkService } from './send-bulk.service';

@Module({
  imports: [MessagingModule, PricingModule],
  providers: [
    CampaignsService,
    SendBulkService,
    CampaignControlService,
    CampaignsResolver,
    CampaignCommandsResolver,
    CampaignCancellationResolver,
    MessageConnectionResolver,
    CampaignProgressResolver,
  ],
  exports: [CampaignsService],
})
export class CampaignsModule {}
