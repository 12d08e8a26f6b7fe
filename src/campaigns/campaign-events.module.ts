import { Global, Module } from '@nestjs/common';
import { PubSubModule } from '../common/pubsub/pubsub.module';
import { CampaignEvents } from '../domain/campaign-events';
import { CampaignProgressPublisher } from './campaign-progress.publisher';
import { CampaignProgressService } from './campaign-progress.service';

/**
 * Live progress plumbing: CampaignEvents (what the dispatcher and the report applier call after a
 * commit) publishes through PUB_SUB, and CampaignProgressService turns those signals into
 * campaignProgress subscriptions. Global, so any module can inject CampaignEvents.
 */
@Global()
@Module({
  imports: [PubSubModule],
  providers: [
    CampaignProgressPublisher,
    { provide: CampaignEvents, useExisting: CampaignProgressPublisher },
    CampaignProgressService,
  ],
  exports: [CampaignEvents, CampaignProgressPublisher, CampaignProgressService],
})
export class CampaignEventsModule {}
