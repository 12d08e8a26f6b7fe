import { Module } from '@nestjs/common';
import { BrakeModule } from '../brake/brake.module';
import { CampaignEventsModule } from '../campaigns/campaign-events.module';
import { ProviderPacingModule } from '../messaging/provider-pacing.module';
import { SmsGatewayModule } from '../sms-gateway/sms-gateway.module';
import { AppliedReportsFollowUp } from './applied-reports-follow-up.service';
import { DeliveryReportApplier } from './delivery-report-applier.service';
import { DeliveryReportBodyParser } from './delivery-report-body.parser';
import { DeliveryReportIntake } from './delivery-report-intake.service';
import { DeliveryReportReceiver } from './delivery-report-receiver.service';
import { DeliveryReportMetrics } from './delivery-report.metrics';
import { DeliveryReportsController } from './delivery-reports.controller';
import { OverdueReportPoller } from './overdue-report-poller.service';
import { PlivoSignatureGuard } from './plivo-signature.guard';
import { ReceiptWindowService } from './receipt-window.service';

/**
 * Delivery reports in: the signed webhook, durable group-commit intake that applies what it can, the
 * batched applier for the rest, the receipt window and the overdue poller.
 */
@Module({
  imports: [ProviderPacingModule, SmsGatewayModule, CampaignEventsModule, BrakeModule],
  controllers: [DeliveryReportsController],
  providers: [
    DeliveryReportMetrics,
    DeliveryReportBodyParser,
    PlivoSignatureGuard,
    AppliedReportsFollowUp,
    DeliveryReportIntake,
    DeliveryReportReceiver,
    DeliveryReportApplier,
    ReceiptWindowService,
    OverdueReportPoller,
  ],
  exports: [
    // The inbound message webhook (consent) checks signatures the same way.
    PlivoSignatureGuard,
    DeliveryReportMetrics,
    DeliveryReportBodyParser,
    DeliveryReportIntake,
    DeliveryReportApplier,
    ReceiptWindowService,
    OverdueReportPoller,
  ],
})
export class DeliveryReportsModule {}
