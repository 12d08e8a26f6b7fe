import { Module } from '@nestjs/common';
import { CampaignProgressResolver } from './campaign-progress.resolver';
import { CampaignsResolver } from './campaigns.resolver';
import { CampaignsService } from './campaigns.service';
import { MessageConnectionResolver } from './message-connection.resolver';

@Module({
  providers: [CampaignsService, CampaignsResolver, MessageConnectionResolver, CampaignProgressResolver],
  exports: [CampaignsService],
})
export class CampaignsModule {}
