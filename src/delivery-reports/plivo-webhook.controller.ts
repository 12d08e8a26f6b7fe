import { BadRequestException, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { Public } from '../common/auth/public.decorator';
import { PlivoSignatureGuard, VerifiedCallback, WebhookRequest } from './plivo-signature.guard';

/** What a Plivo webhook hands its verified callbacks to; it resolves once the callback is durable. */
export interface PlivoCallbackReceiver {
  receive(callback: VerifiedCallback): Promise<unknown>;
}

/**
 * The shared plumbing of Plivo's webhooks: no API key (the V3 signature, checked by
 * PlivoSignatureGuard over the raw body, is the authentication), POST and GET alike, and 200 once the
 * receiver has stored the callback. A subclass states its path (@Controller) and its receiver.
 */
@Public()
@UseGuards(PlivoSignatureGuard)
export abstract class PlivoWebhookController {
  protected constructor(
    private readonly receiver: PlivoCallbackReceiver,
    /** Named in the 400 for a request the guard did not verify, e.g. 'delivery report'. */
    private readonly callbackName: string,
  ) {}

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
      throw new BadRequestException(`Unverified ${this.callbackName}`);
    }
    await this.receiver.receive(request.plivoCallback);
  }
}
