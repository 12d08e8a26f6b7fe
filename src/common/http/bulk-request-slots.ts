import type { ServerResponse } from 'node:http';
import { Gauge } from 'prom-client';
import type { MetricsService } from '../metrics/metrics.service';

/** Large requests that may wait for a slot; one more is refused at once. */
export const MAX_WAITING_BULK_REQUESTS = 16;

/**
 * How many requests with a body over BODY_LIMIT (an authenticated sendBulk or quote) an instance
 * reads and processes at once (BULK_BODY_CONCURRENCY). Each holds tens of MB of heap from its
 * body to its answer, so several at once could exhaust it; the next ones wait, their bodies
 * unread, in arrival order. A slot is freed when its response ends or its connection closes.
 */
export class BulkRequestSlots {
  private active = 0;
  private readonly waiting: Array<{ res: ServerResponse; start: () => void }> = [];
  private readonly inFlightGauge: Gauge;
  private readonly waitingGauge: Gauge;

  constructor(
    private readonly concurrency: number,
    metrics: MetricsService,
  ) {
    const registers = [metrics.registry];
    this.inFlightGauge = new Gauge({
      name: 'bulk_sms_bulk_requests_in_flight',
      help: 'Requests with a body over BODY_LIMIT being read or processed',
      registers,
    });
    this.waitingGauge = new Gauge({
      name: 'bulk_sms_bulk_requests_waiting',
      help: 'Requests with a body over BODY_LIMIT waiting for a slot, their bodies unread',
      registers,
    });
  }

  /** Runs `start` now or when a slot frees up; false (nothing run) when too many wait already. */
  enter(res: ServerResponse, start: () => void): boolean {
    if (this.active < this.concurrency) {
      this.run(res, start);
      return true;
    }
    if (this.waiting.length >= MAX_WAITING_BULK_REQUESTS) {
      return false;
    }
    const entry = { res, start };
    this.waiting.push(entry);
    res.once('close', () => this.dropWaiting(entry));
    this.waitingGauge.set(this.waiting.length);
    return true;
  }

  private run(res: ServerResponse, start: () => void): void {
    this.active++;
    this.inFlightGauge.set(this.active);
    res.once('close', () => {
      this.active--;
      this.inFlightGauge.set(this.active);
      const next = this.waiting.shift();
      this.waitingGauge.set(this.waiting.length);
      if (next) {
        this.run(next.res, next.start);
      }
    });
    start();
  }

  private dropWaiting(entry: { res: ServerResponse; start: () => void }): void {
    const index = this.waiting.indexOf(entry);
    if (index !== -1) {
      this.waiting.splice(index, 1);
      this.waitingGauge.set(this.waiting.length);
    }
  }
}
