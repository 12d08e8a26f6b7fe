import { Module } from '@nestjs/common';
import { CampaignEventsModule } from '../campaigns/campaign-events.module';
import { BrakeService } from './brake.service';

/** The automatic brake (src/brake/brake.service.ts), for the report applier, campaign control and opt-out intake. */
@Module({
  imports: [CampaignEventsModule],
  providers: [BrakeService],
  exports: [BrakeService],
})
export class BrakeModule {}
