import http from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { trackOpen, untrackOpen } from './open-resources';

export interface ReceivedEvent {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/**
 * A customer's endpoint for tests: verifies every request with the Standard Webhooks library over
 * the raw body, records what it accepted (in arrival order), and can go down and come back on the
 * same port (connections refused meanwhile).
 */
export class WebhookReceiver {
  readonly received: ReceivedEvent[] = [];
  readonly rejected: string[] = [];
  private verifier: Webhook | undefined;
  private server: http.Server | undefined;
  private port = 0;
  private readonly handle = {};

  async start(): Promise<void> {
    await this.listen(0);
    trackOpen(this.handle, `webhook receiver on port ${this.port}`, () => this.stop());
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  useSecret(secret: string): void {
    this.verifier = new Webhook(secret);
  }

  /** Every distinct event id accepted, with its first arrival position. */
  firstSeen(): Map<string, number> {
    const seen = new Map<string, number>();
    this.received.forEach((event, index) => {
      if (!seen.has(event.id)) {
        seen.set(event.id, index);
      }
    });
    return seen;
  }

  async goDown(): Promise<void> {
    await this.closeServer();
  }

  async comeBack(): Promise<void> {
    await this.listen(this.port);
  }

  async stop(): Promise<void> {
    untrackOpen(this.handle);
    await this.closeServer();
  }

  private listen(port: number): Promise<void> {
    const server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        try {
          if (!this.verifier) {
            throw new Error('no secret yet');
          }
          const event = this.verifier.verify(body, request.headers as Record<string, string>) as Omit<
            ReceivedEvent,
            'id'
          >;
          this.received.push({ id: String(request.headers['webhook-id']), ...event });
          response.writeHead(204).end();
        } catch (error) {
          this.rejected.push(String(error));
          response.writeHead(400).end();
        }
      });
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        this.port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private async closeServer(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) {
      return;
    }
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Endpoints that fail in the three ways a customer's can: it hangs, it answers 500, nothing listens. */
export class FailingEndpoints {
  private readonly hanging = http.createServer(() => undefined);
  private readonly failing = http.createServer((_request, response) => {
    _request.resume();
    response.writeHead(500).end('boom');
  });
  private refusedPort = 0;
  private readonly handle = {};

  async start(): Promise<void> {
    for (const server of [this.hanging, this.failing]) {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    }
    // A port that was free a moment ago: connections to it are refused.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    this.refusedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    trackOpen(this.handle, 'failing webhook endpoints', () => this.stop());
  }

  get urls(): { hanging: string; failing: string; refused: string } {
    return {
      hanging: `http://127.0.0.1:${(this.hanging.address() as AddressInfo).port}/hangs`,
      failing: `http://127.0.0.1:${(this.failing.address() as AddressInfo).port}/fails`,
      refused: `http://127.0.0.1:${this.refusedPort}/refused`,
    };
  }

  async stop(): Promise<void> {
    untrackOpen(this.handle);
    for (const server of [this.hanging, this.failing]) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
