import { Module } from '@nestjs/common';
import { CampaignEventsModule } from '../campaigns/campaign-events.module';
import { DeliveryReportsModule } from '../delivery-reports/delivery-reports.module';
import { ConsentReplyRepository } from '../persistence/consent-reply.repository';
import { ConsentRepository } from '../persistence/consent.repository';
import { ConsentTransactor } from '../persistence/consent-transactor';
import { ErasureRepository } from '../persistence/erasure.repository';
import { InboundMessageRepository } from '../persistence/inbound-message.repository';
import { ProviderPacingModule } from '../messaging/provider-pacing.module';
import { SmsGatewayModule } from '../sms-gateway/sms-gateway.module';
import { ConsentProcessor } from './consent-processor.service';
import { ConsentReplySender } from './consent-reply-sender.service';
import { InboundMessageReceiver } from './inbound-message-receiver.service';
import { InboundMessagesController } from './inbound-messages.controller';
import { RecipientHasher } from './recipient-hasher';
import { SuppressedRecipients } from './suppressed-recipients';
import { SuppressionsResolver } from './suppressions.resolver';
import { SuppressionsService } from './suppressions.service';

/**
 * Opt-out and consent: the signed inbound webhook, keyword processing, replies, the suppression list
 * API and erasure (docs/consent.md).
 */
@Module({
  imports: [DeliveryReportsModule, SmsGatewayModule, ProviderPacingModule, CampaignEventsModule],
  controllers: [InboundMessagesController],
  providers: [
    InboundMessageRepository,
    ConsentRepository,
    ConsentReplyRepository,
    ConsentTransactor,
    ErasureRepository,
    RecipientHasher,
    InboundMessageReceiver,
    ConsentProcessor,
    ConsentReplySender,
    SuppressionsService,
    SuppressionsResolver,
    SuppressedRecipients,
  ],
  exports: [RecipientHasher, ConsentProcessor, SuppressedRecipients],
})
export class ConsentModule {}
