import { Module } from '@nestjs/common';
import { CampaignEventsModule } from '../campaigns/campaign-events.module';
import { CampaignEta } from '../domain/campaign-eta';
import { QuietHoursModule } from '../quiet-hours/quiet-hours.module';
import { SmsGatewayModule } from '../sms-gateway/sms-gateway.module';
import { AmbiguousBatchReconciler } from './ambiguous-batch-reconciler';
import { BatchClaimer } from './batch-claimer';
import { BatchSubmitter } from './batch-submitter';
import { DispatchMetrics } from './dispatch.metrics';
import { DispatcherWakeup } from './dispatcher-wakeup';
import { DispatcherService } from './dispatcher.service';
import { PacingCampaignEta } from './pacing-campaign-eta';
import { ProviderPacingModule } from './provider-pacing.module';

@Module({
  imports: [SmsGatewayModule, CampaignEventsModule, ProviderPacingModule, QuietHoursModule],
  providers: [
    DispatcherWakeup,
    DispatcherService,
    BatchClaimer,
    BatchSubmitter,
    AmbiguousBatchReconciler,
    DispatchMetrics,
    PacingCampaignEta,
    { provide: CampaignEta, useExisting: PacingCampaignEta },
  ],
  exports: [DispatcherWakeup, CampaignEta, ProviderPacingModule, SmsGatewayModule],
})
export class MessagingModule {}
