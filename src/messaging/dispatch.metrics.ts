import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../common/metrics/metrics.service';

@Injectable()
export class DispatchMetrics {
  private readonly batches: Counter<'outcome'>;
  private readonly messages: Counter<'outcome'>;
  private readonly latency: Histogram<'outcome'>;

  constructor(metrics: MetricsService) {
    this.batches = new Counter({
      name: 'bulk_sms_batches_submitted_total',
      help: 'Batch submissions to the provider, by outcome (accepted, transient, ambiguous, permanent, pause)',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
    this.messages = new Counter({
      name: 'bulk_sms_messages_submitted_total',
      help: 'Recipients in batch submissions, by outcome',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
    this.latency = new Histogram({
      name: 'bulk_sms_batch_submit_seconds',
      help: 'Duration of one batch submission request',
      labelNames: ['outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [metrics.registry],
    });
  }

  recordSubmission(outcome: string, recipients: number, durationMs: number): void {
    this.batches.inc({ outcome });
    this.messages.inc({ outcome }, recipients);
    this.latency.observe({ outcome }, durationMs / 1000);
  }
}
