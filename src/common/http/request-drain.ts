import { Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { ErrorCode } from '../errors/error-code.enum';

/** A request refused while the service stops: the client (or Plivo, for a callback) retries. */
const RETRY_AFTER_SECONDS = 5;
export const SHUTTING_DOWN_MESSAGE = `The service is shutting down: retry in ${RETRY_AFTER_SECONDS} s`;

/**
 * Lets the requests in flight finish before the application's shutdown hooks run. Nest's close()
 * stops the modules, disconnects the database and only then closes the HTTP server, so a request
 * that reached the database during the hooks failed, or started a transaction while Prisma was
 * disconnecting, which left a BEGIN open until the forced exit. stop() ends listening, refuses the
 * requests that arrive afterwards on open connections with 503 (Retry-After, Connection: close), and
 * waits for those in flight, at most `timeoutMs`; the connections of any still running are then
 * destroyed, so the close that follows cannot wait on them for ever. Work that does not arrive as an
 * HTTP request (graphql-ws operations) is counted with track().
 */
@Injectable()
export class RequestDrain {
  private readonly logger = new Logger(RequestDrain.name);
  private readonly inFlight = new Set<ServerResponse>();
  private trackedOperations = 0;
  private stopping: Promise<void> | undefined;
  private drained: (() => void) | undefined;

  /** Puts itself in front of the server's request listeners (attach once they are all in place). */
  attach(server: Server): void {
    const listeners = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (this.stopping) {
        refuse(res);
        return;
      }
      this.inFlight.add(res);
      res.once('close', () => this.finished(res));
      for (const listener of listeners) {
        listener.call(server, req, res);
      }
    });
  }

  /** Requests received and not yet answered (or broken off), and tracked operations not yet settled. */
  get requestsInFlight(): number {
    return this.inFlight.size + this.trackedOperations;
  }

  /** Tracked operations (graphql-ws executions) not yet settled: no HTTP request counts here. */
  get operationsInFlight(): number {
    return this.trackedOperations;
  }

  /** True from the first stop(): new work is to be refused. */
  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  /**
   * Counts `work` in flight until it settles and the turn of the event loop after, so that what the
   * caller does with its result at once (graphql-ws sends it) happens before the modules stop.
   */
  track<T>(work: T | Promise<T>): T | Promise<T> {
    if (!(work instanceof Promise)) {
      return work;
    }
    this.trackedOperations++;
    const settled = (): void => {
      setImmediate(() => {
        this.trackedOperations--;
        this.checkDrained();
      });
    };
    work.then(settled, settled);
    return work;
  }

  /** Every call returns the same drain. */
  stop(server: Server, timeoutMs: number): Promise<void> {
    this.stopping ??= this.drain(server, timeoutMs);
    return this.stopping;
  }

  private async drain(server: Server, timeoutMs: number): Promise<void> {
    // No new connections; idle ones end now, the others as soon as their answer is written.
    server.close();
    for (const res of this.inFlight) {
      if (!res.headersSent) {
        res.setHeader('Connection', 'close');
      }
    }
    if (this.requestsInFlight === 0) {
      return;
    }
    this.logger.log(`Waiting for ${this.requestsInFlight} request(s) in flight before stopping`);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      new Promise<false>((resolve) => (this.drained = () => resolve(false))),
      new Promise<true>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      // A graphql-ws operation cannot be cut off here: its connection is closed next (1001, bootstrap.ts).
      this.logger.warn(
        `${this.requestsInFlight} request(s) still in flight after ${timeoutMs} ms: stopping anyway, their HTTP connections closed`,
      );
      for (const res of this.inFlight) {
        res.destroy();
      }
      this.inFlight.clear();
    }
  }

  private finished(res: ServerResponse): void {
    this.inFlight.delete(res);
    this.checkDrained();
  }

  private checkDrained(): void {
    if (this.requestsInFlight === 0) {
      this.drained?.();
    }
  }
}

function refuse(res: ServerResponse): void {
  const body = JSON.stringify({
    statusCode: 503,
    code: ErrorCode.SERVICE_UNAVAILABLE,
    message: SHUTTING_DOWN_MESSAGE,
  });
  res.writeHead(503, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Retry-After': String(RETRY_AFTER_SECONDS),
    Connection: 'close',
  });
  res.end(body);
}
