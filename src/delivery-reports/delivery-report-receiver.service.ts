import { BadRequestException, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { AppendOutcome } from '../persistence/delivery-report.repository';
import { DeliveryReportIntake, IntakeSaturatedError } from './delivery-report-intake.service';
import { DeliveryReportMetrics } from './delivery-report.metrics';
import { MalformedCallbackError, toDeliveryReport } from './plivo-callback';
import { VerifiedCallback } from './plivo-signature.guard';

/** Turns a verified callback into a stored report (or a recognised duplicate/replay). */
@Injectable()
export class DeliveryReportReceiver {
  constructor(
    private readonly intake: DeliveryReportIntake,
    private readonly metrics: DeliveryReportMetrics,
  ) {}

  receive(callback: VerifiedCallback): Promise<AppendOutcome> {
    let report;
    try {
      report = toDeliveryReport(callback.params, callback.batchId);
    } catch (error) {
      if (error instanceof MalformedCallbackError) {
        this.metrics.rejected.inc({ reason: error.reason });
        throw new BadRequestException(error.message);
      }
      throw error;
    }
    return this.intake.appendWithinDeadline(report, callback.nonce).catch((error: unknown) => {
      throw error instanceof IntakeSaturatedError ? new ServiceUnavailableException(error.message) : error;
    });
  }
}
