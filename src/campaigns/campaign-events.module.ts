import { Module } from '@nestjs/common';
import { PubSubModule } from '../common/pubsub/pubsub.module';
import { CampaignEvents } from '../domain/campaign-events';
import { CampaignProgressPublisher } from './campaign-progress.publisher';

/**
 * CampaignEvents, what the dispatcher, the report applier and campaign control call after a
 * commit: it publishes through PUB_SUB (CampaignProgressService, in CampaignsModule, turns the
 * signals into campaignProgress subscriptions). Imported by each module that changes campaigns.
 */
@Module({
  imports: [PubSubModule],
  providers: [CampaignProgressPublisher, { provide: CampaignEvents, useExisting: CampaignProgressPublisher }],
  exports: [CampaignEvents, CampaignProgressPublisher],
})
export class CampaignEventsModule {}
