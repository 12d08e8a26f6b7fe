import { BadRequestException, ForbiddenException, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.service';
import { VerifiedCallback } from '../delivery-reports/plivo-signature.guard';
import { InboundAppendOutcome, InboundMessageRepository } from '../persistence/inbound-message.repository';
import { ConsentProcessor } from './consent-processor.service';
import { MalformedInboundError, toInboundMessage } from './inbound-message.parser';

/**
 * A verified inbound callback becomes a durable row (with its nonce, in one statement) before the
 * answer; processing (suppression, consent record, replies) follows at once, off the request.
 */
@Injectable()
export class InboundMessageReceiver {
  private readonly logger = new Logger(InboundMessageReceiver.name);

  constructor(
    private readonly inbound: InboundMessageRepository,
    private readonly processor: ConsentProcessor,
    private readonly config: AppConfig,
  ) {}

  async receive(callback: VerifiedCallback): Promise<InboundAppendOutcome> {
    let message;
    try {
      message = toInboundMessage(callback.params);
    } catch (error) {
      if (error instanceof MalformedInboundError) {
        throw new BadRequestException(error.message);
      }
      throw error;
    }
    const outcome = await this.inbound.append(message, callback.nonce, this.config.deliveryReports.replayWindowMs);
    if (outcome === 'replay') {
      // Never log the number or the text: only what happened.
      this.logger.warn('Inbound message refused: replayed signature nonce');
      throw new ForbiddenException('Replayed Plivo signature');
    }
    if (outcome === 'stored') {
      this.processor.wake();
    }
    return outcome;
  }
}
