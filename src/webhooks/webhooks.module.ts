import { Module } from '@nestjs/common';
import { PubSubModule } from '../common/pubsub/pubsub.module';
import { WebhookRepository } from '../persistence/webhook.repository';
import { WebhookDeliveryWorker } from './webhook-delivery.worker';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { WebhooksResolver } from './webhooks.resolver';

/**
 * Webhooks to the customer: endpoints (GraphQL), and the worker that delivers the outbox the
 * database fills (triggers of the webhook_outbox migration) with Standard Webhooks signatures.
 */
@Module({
  imports: [PubSubModule],
  providers: [WebhookRepository, WebhookDeliveryWorker, WebhookEndpointsService, WebhooksResolver],
  exports: [WebhookRepository],
})
export class WebhooksModule {}
