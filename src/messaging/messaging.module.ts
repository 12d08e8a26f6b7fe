import { Global, Module } from '@nestjs/common';
import { CampaignEta } from '../domain/campaign-eta';
import { SmsGatewayModule } from '../sms-gateway/sms-gateway.module';
import { AmbiguousBatchReconciler } from './ambiguous-batch-reconciler';
import { BatchClaimer } from './batch-claimer';
import { BatchSubmitter } from './batch-submitter';
import { DispatchMetrics } from './dispatch.metrics';
import { DispatcherWakeup } from './dispatcher-wakeup';
import { DispatcherService } from './dispatcher.service';
import { PacingCampaignEta } from './pacing-campaign-eta';
import { PacingLedger } from './pacing-ledger';
import { PacingPlan } from './pacing-plan';
import { ProviderApiBudget } from './provider-api-budget';

// Global so that live progress (CampaignEventsModule) sees the CampaignEta binding.
@Global()
@Module({
  imports: [SmsGatewayModule],
  providers: [
    DispatcherWakeup,
    DispatcherService,
    BatchClaimer,
    BatchSubmitter,
    PacingLedger,
    AmbiguousBatchReconciler,
    PacingPlan,
    DispatchMetrics,
    PacingCampaignEta,
    ProviderApiBudget,
    { provide: CampaignEta, useExisting: PacingCampaignEta },
  ],
  exports: [DispatcherWakeup, PacingPlan, CampaignEta, ProviderApiBudget, SmsGatewayModule],
})
export class MessagingModule {}
