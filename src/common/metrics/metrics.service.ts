import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

/** One Prometheus registry per application instance, with the default process metrics. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly graphqlErrors = new Counter({
    name: 'bulk_sms_graphql_errors_total',
    help: 'GraphQL errors returned to clients, by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
