import { Controller } from '@nestjs/common';
import { INBOUND_MESSAGE_PATH } from '../config/app-config.service';
import { PlivoWebhookController } from '../delivery-reports/plivo-webhook.controller';
import { InboundMessageReceiver } from './inbound-message-receiver.service';

/**
 * Plivo's Message URL: inbound SMS (STOP, START, HELP, free text). 200 once the message is durable
 * (also for Plivo's retry of a stored message).
 */
@Controller(INBOUND_MESSAGE_PATH)
export class InboundMessagesController extends PlivoWebhookController {
  constructor(receiver: InboundMessageReceiver) {
    super(receiver, 'inbound message');
  }
}
