import { ConsentModule } from '../consent/consent.module';
import { Module } from '@nestjs/common';
import { BrakeModule } from '../brake/brake.module';
import { QuietHoursModule } from '../quiet-hours/quiet-hours.module';
import { PubSubModule } from '../common/pubsub/pubsub.module';
import { MessagingModule } from '../messaging/messaging.module';
import { PricingModule } from '../pricing/pricing.module';
import { RecipientListsModule } from '../recipient-lists/recipient-lists.module';
import { AlreadyWithProviderResolver } from './already-with-provider.resolver';
import { CampaignCancellationResolver } from './campaign-cancellation.resolver';
import { CampaignCommandsResolver } from './campaign-commands.resolver';
import { CampaignControlService } from './campaign-control.service';
import { CampaignEventsModule } from './campaign-events.module';
import { CampaignUploadController } from './campaign-upload.controller';
import { CampaignProgressResolver } from './campaign-progress.resolver';
import { CampaignProgressService } from './campaign-progress.service';
import { CampaignStallMonitor } from './campaign-stall-monitor.service';
import { CampaignsResolver } from './campaigns.resolver';
import { CampaignsService } from './campaigns.service';
import { MessageConnectionResolver } from './message-connection.resolver';
import { RejectedRecipientsResolver } from './rejected-recipients.resolver';
import { SendBulkService } from './send-bulk.service';

@Module({
  imports: [
    MessagingModule,
    PricingModule,
    CampaignEventsModule,
    PubSubModule,
    ConsentModule,
    BrakeModule,
    QuietHoursModule,
    RecipientListsModule,
  ],
  controllers: [CampaignUploadController],
  providers: [
    CampaignsService,
    SendBulkService,
    CampaignControlService,
    CampaignsResolver,
    CampaignCommandsResolver,
    CampaignCancellationResolver,
    AlreadyWithProviderResolver,
    MessageConnectionResolver,
    CampaignProgressResolver,
    CampaignProgressService,
    RejectedRecipientsResolver,
    CampaignStallMonitor,
  ],
  exports: [CampaignsService],
})
export class CampaignsModule {}
