import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../common/metrics/metrics.service';

export type WebhookRejectReason =
  'missing_signature' | 'missing_nonce' | 'bad_signature' | 'too_large' | 'malformed' | 'bad_amount';

/** Delivery-report metrics, registered on the application's registry (`GET /metrics`). */
@Injectable()
export class DeliveryReportMetrics {
  readonly rejected: Counter<'reason'>;
  readonly received: Counter<'outcome'>;
  readonly saturated: Counter<'reason'>;
  readonly appendBatchSize: Histogram;
  readonly appendSeconds: Histogram;
  readonly applied: Counter<'result'>;
  readonly applySeconds: Histogram;
  readonly suppressed: Counter;
  readonly unconfirmed: Counter;
  readonly polled: Counter<'result'>;
  readonly deferred: Gauge;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.rejected = new Counter({
      name: 'bulk_sms_delivery_report_rejected_total',
      help: 'Delivery-report webhook requests refused (403 bad or missing signature, 413 too large, 400 malformed or bad_amount)',
      labelNames: ['reason'] as const,
      registers,
    });
    this.received = new Counter({
      name: 'bulk_sms_delivery_reports_received_total',
      help: 'Verified delivery reports, by outcome: stored, duplicate (same report again) or replay (nonce seen before)',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.saturated = new Counter({
      name: 'bulk_sms_delivery_report_saturated_total',
      help: 'Delivery reports answered 503 so that Plivo retries them: queue_full (WEBHOOK_MAX_PENDING waiting) or answer_timeout (not committed within WEBHOOK_ANSWER_TIMEOUT_MS)',
      labelNames: ['reason'] as const,
      registers,
    });
    this.appendBatchSize = new Histogram({
      name: 'bulk_sms_delivery_report_append_batch_size',
      help: 'Reports written per group-commit statement',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers,
    });
    this.appendSeconds = new Histogram({
      name: 'bulk_sms_delivery_report_append_seconds',
      help: 'Duration of one group-commit statement',
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.applied = new Counter({
      name: 'bulk_sms_delivery_reports_applied_total',
      help: 'Stored reports processed by the applier: applied (message moved), stale (no-op), unknown_status, given_up (never matched)',
      labelNames: ['result'] as const,
      registers,
    });
    this.applySeconds = new Histogram({
      name: 'bulk_sms_delivery_report_apply_pass_seconds',
      help: 'Duration of one apply pass (claim + one UPDATE + mark, one transaction)',
      buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2],
      registers,
    });
    this.suppressed = new Counter({
      name: 'bulk_sms_delivery_report_suppressions_total',
      help: 'Numbers added to a suppression list because a report carried error 200 (STOP)',
      registers,
    });
    this.unconfirmed = new Counter({
      name: 'bulk_sms_messages_unconfirmed_total',
      help: 'Messages marked UNCONFIRMED because no final report came within the receipt window',
      registers,
    });
    this.polled = new Counter({
      name: 'bulk_sms_delivery_report_polls_total',
      help: 'Provider message lookups for overdue messages, by result: found, not_found, error',
      labelNames: ['result'] as const,
      registers,
    });
    this.deferred = new Gauge({
      name: 'bulk_sms_delivery_reports_unmatched',
      help: 'Stored reports not yet matched to a message, waiting for a retry',
      registers,
    });
  }
}
