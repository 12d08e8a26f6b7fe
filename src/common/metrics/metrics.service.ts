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

  /**
   * Large JSON bodies (an authenticated POST over BODY_LIMIT), by where their recipient list was parsed:
   * `worker` (its recipients kept out of GraphQL's coercion), `worker_in_variables` (parsed on a worker,
   * the document needing the list in its variables), `event_loop` (not a recipient list of strings).
   */
  readonly largeJsonBodies = new Counter({
    name: 'bulk_sms_large_json_bodies_total',
    help: 'Large JSON bodies by where their recipient list was parsed (worker, worker_in_variables, event_loop)',
    labelNames: ['parsed'] as const,
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
