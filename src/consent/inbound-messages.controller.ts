import { BadRequestException, Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { Public } from '../common/auth/public.decorator';
import { INBOUND_MESSAGE_PATH } from '../config/app-config.service';
import { PlivoSignatureGuard, WebhookRequest } from '../delivery-reports/plivo-signature.guard';
import { InboundMessageReceiver } from './inbound-message-receiver.service';

/**
 * Plivo's Message URL: inbound SMS (STOP, START, HELP, free text). The V3 signature is the
 * authentication; 200 once the message is durable (also for Plivo's retry of a stored message).
 */
@Public()
@Controller(INBOUND_MESSAGE_PATH)
@UseGuards(PlivoSignatureGuard)
export class InboundMessagesController {
  constructor(private readonly receiver: InboundMessageReceiver) {}

  @Post()
  @HttpCode(200)
  async receivePost(@Req() request: WebhookRequest): Promise<void> {
    await this.receive(request);
  }

  @Get()
  @HttpCode(200)
  async receiveGet(@Req() request: WebhookRequest): Promise<void> {
    await this.receive(request);
  }

  private async receive(request: WebhookRequest): Promise<void> {
    if (!request.plivoCallback) {
      throw new BadRequestException('Unverified inbound message');
    }
    await this.receiver.receive(request.plivoCallback);
  }
}
