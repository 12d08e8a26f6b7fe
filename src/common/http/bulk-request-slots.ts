import type { IncomingMessage, ServerResponse } from 'node:http';
import { Gauge } from 'prom-client';
import type { MetricsService } from '../metrics/metrics.service';

/** Large requests that may wait for a slot; one more is refused at once. */
export const MAX_WAITING_BULK_REQUESTS = 16;

/**
 * A body that holds a slot and sends nothing for this long is answered 408 and its connection closed.
 * Without it, one key could hold the slot with a body that never came (Node's requestTimeout, 300 s) and
 * make every other account's large sendBulk or quote wait, again and again by reconnecting.
 */
export const BULK_BODY_IDLE_MS = 10_000;

/**
 * How many requests with a body over BODY_LIMIT (an authenticated sendBulk or quote) an instance
 * reads and processes at once (BULK_BODY_CONCURRENCY). Each holds tens of MB of heap from its
 * body to its answer, so several at once could exhaust it; the next ones wait, their bodies
 * unread, in arrival order. A slot is freed when its response ends or its connection closes, or when its
 * body stops arriving for BULK_BODY_IDLE_MS.
 */
export class BulkRequestSlots {
  private active = 0;
  private readonly waiting: Array<{ res: ServerResponse; start: () => void }> = [];
  private readonly inFlightGauge: Gauge;
  private readonly waitingGauge: Gauge;

  constructor(
    private readonly concurrency: number,
    metrics: MetricsService,
    private readonly bodyIdleMs = BULK_BODY_IDLE_MS,
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
    const unwatch = this.closeIfBodyStalls(res);
    res.once('close', () => {
      unwatch();
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

  /** Arms an idle timer on the socket until the body has arrived; returns what disarms it. */
  private closeIfBodyStalls(res: ServerResponse): () => void {
    const req = res.req as IncomingMessage | undefined;
    const socket = req?.socket;
    if (!req || !socket || req.complete) {
      return () => undefined;
    }
    // Node's server emits 'timeout' on the request whose body is still coming; handled here, it does not
    // destroy the socket itself, so the client gets an answer first.
    const onTimeout = (): void => {
      disarm();
      if (res.headersSent) {
        socket.destroy();
        return;
      }
      const body = JSON.stringify({
        statusCode: 408,
        code: 'BAD_USER_INPUT',
        message: `body: nothing received for ${this.bodyIdleMs / 1000} s`,
      });
      res.writeHead(408, { 'Content-Type': 'application/json', Connection: 'close' });
      res.end(body, () => socket.destroy());
      setTimeout(() => socket.destroy(), 1000).unref();
    };
    const disarm = (): void => {
      req.off('timeout', onTimeout);
      req.off('end', disarm);
      if (!socket.destroyed) {
        socket.setTimeout(0);
      }
    };
    req.on('timeout', onTimeout);
    req.once('end', disarm);
    socket.setTimeout(this.bodyIdleMs);
    return disarm;
  }

  private dropWaiting(entry: { res: ServerResponse; start: () => void }): void {
    const index = this.waiting.indexOf(entry);
    if (index !== -1) {
      this.waiting.splice(index, 1);
      this.waitingGauge.set(this.waiting.length);
    }
  }
}
