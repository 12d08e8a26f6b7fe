import { Controller } from '@nestjs/common';
import { DELIVERY_REPORT_PATH } from '../config/app-config.service';
import { DeliveryReportReceiver } from './delivery-report-receiver.service';
import { PlivoWebhookController } from './plivo-webhook.controller';

/**
 * Plivo's message status callback: 200 once the report is durable, also for a duplicate or a replay,
 * so Plivo stops retrying. (bootstrap.ts usually serves this path before Express, through
 * DeliveryReportBodyParser, with the same answers.)
 */
@Controller(DELIVERY_REPORT_PATH)
export class DeliveryReportsController extends PlivoWebhookController {
  constructor(receiver: DeliveryReportReceiver) {
    super(receiver, 'delivery report');
  }
}
