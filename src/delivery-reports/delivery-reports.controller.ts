import { BadRequestException, Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { Public } from '../common/auth/public.decorator';
import { DELIVERY_REPORT_PATH } from '../config/app-config.service';
import { DeliveryReportReceiver } from './delivery-report-receiver.service';
import { PlivoSignatureGuard, WebhookRequest } from './plivo-signature.guard';

/**
 * Plivo's message status callback. The signature is the authentication (no API key); the answer is
 * 200 once the report is durable, also for a duplicate or a replay, so Plivo stops retrying.
 */
@Public()
@Controller(DELIVERY_REPORT_PATH)
@UseGuards(PlivoSignatureGuard)
export class DeliveryReportsController {
  constructor(private readonly receiver: DeliveryReportReceiver) {}

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
      throw new BadRequestException('Unverified delivery report');
    }
    await this.receiver.receive(request.plivoCallback);
  }
}
