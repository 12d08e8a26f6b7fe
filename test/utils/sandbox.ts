import http from 'node:http';
import { AddressInfo } from 'node:net';
import * as plivo from 'plivo';
import { PlivoSandbox, SandboxPersistence } from '../../src/sandbox/sandbox';
import { SandboxOptions } from '../../src/sandbox/sandbox.options';
import { trackOpen, untrackOpen } from './open-resources';
import { scaledTimeout } from './time-factor';

/** Fast, deterministic defaults for tests: 1 s of Plivo time = 1 ms. */
export const FAST_SANDBOX: Partial<SandboxOptions> = { timeScale: 0.001, seed: 42, mps: 1000, dlrDelayMs: 1000 };

export async function startSandbox(
  options: Partial<SandboxOptions> = {},
  persistence?: SandboxPersistence,
): Promise<PlivoSandbox> {
  const sandbox = await new PlivoSandbox({ ...FAST_SANDBOX, ...options }, persistence).start(0);
  trackOpen(sandbox, `sandbox on ${sandbox.apiUrl}`, () => sandbox.stop());
  const stop = sandbox.stop.bind(sandbox);
  sandbox.stop = () => {
    untrackOpen(sandbox);
    return stop();
  };
  return sandbox;
}

/** A plain SDK client pointed at the sandbox, as the service builds it. */
export function plivoClient(
  sandbox: PlivoSandbox,
  overrides: { authToken?: string; timeoutMs?: number } = {},
): plivo.Client {
  return new plivo.Client(sandbox.authId, overrides.authToken ?? sandbox.authToken, {
    url: sandbox.apiUrl + sandbox.authId,
    timeout: overrides.timeoutMs ?? 5000,
  });
}

export interface ReceivedCallback {
  method: 'GET' | 'POST';
  /** The full URL the sandbox called (what a receiver must verify against). */
  url: string;
  headers: http.IncomingHttpHeaders;
  params: Record<string, string>;
  rawBody: string;
  receivedAt: number;
}

/** What to answer to the n-th (0-based) callback: a status, or `hang` for never. */
export type Responder = (
  callback: ReceivedCallback,
  index: number,
) => number | 'hang' | { status: number; delayMs: number };

/** A local node:http webhook receiver that records every callback. */
export class CallbackReceiver {
  readonly received: ReceivedCallback[] = [];
  private server = http.createServer((req, res) => this.handle(req, res));
  private hung: http.ServerResponse[] = [];
  respond: Responder = () => 200;

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path = '/dlr'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Callbacks for one message, in arrival order. */
  forMessage(uuid: string): ReceivedCallback[] {
    return this.received.filter((c) => c.params.MessageUUID === uuid);
  }

  async waitFor(predicate: (received: ReceivedCallback[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + scaledTimeout(timeoutMs);
    while (!predicate(this.received)) {
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting for callbacks; got ${this.received.length}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async stop(): Promise<void> {
    this.hung.forEach((res) => res.destroy());
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let rawBody = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (rawBody += chunk));
    req.on('end', () => {
      const full = `http://127.0.0.1:${this.port}${req.url ?? '/'}`;
      const method = req.method === 'GET' ? 'GET' : 'POST';
      let params: Record<string, string>;
      if (method === 'GET') {
        // Query params the receiver's own URL had are part of `url`; the rest are Plivo's fields.
        params = Object.fromEntries(new URL(full).searchParams);
      } else {
        params = Object.fromEntries(new URLSearchParams(rawBody));
      }
      const callback: ReceivedCallback = {
        method,
        url: full,
        headers: req.headers,
        params,
        rawBody,
        receivedAt: Date.now(),
      };
      const index = this.received.length;
      this.received.push(callback);
      const answer = this.respond(callback, index);
      if (answer === 'hang') {
        this.hung.push(res);
        return;
      }
      const { status, delayMs } = typeof answer === 'number' ? { status: answer, delayMs: 0 } : answer;
      const reply = () => {
        if (!res.destroyed) {
          res.writeHead(status, { 'Content-Length': '0' });
          res.end();
        }
      };
      if (delayMs > 0) {
        this.hung.push(res);
        setTimeout(reply, delayMs);
      } else {
        reply();
      }
    });
  }
}

/** Verifies a received POST callback the way a real receiver would, with the SDK. */
export function sdkVerifies(
  callback: ReceivedCallback,
  secret: string,
  header: 'x-plivo-signature-v3' | 'x-plivo-signature-ma-v3' = 'x-plivo-signature-v3',
): boolean {
  return Boolean(
    plivo.validateV3Signature(
      callback.method,
      callback.url,
      String(callback.headers['x-plivo-signature-v3-nonce']),
      secret,
      String(callback.headers[header]),
      callback.method === 'POST' ? callback.params : {},
    ),
  );
}

export async function controlApi<T>(
  sandbox: PlivoSandbox,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${sandbox.url}/__sandbox/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}
