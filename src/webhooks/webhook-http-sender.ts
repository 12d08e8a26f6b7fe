import http from 'node:http';
import https from 'node:https';
import { hostOf, isPublicAddress, publicOnlyLookup } from './webhook-address-policy';
import { isIP } from 'node:net';

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface WebhookResponse {
  /** 2xx */
  ok: boolean;
  statusCode: number | null;
  /** Why it failed (no response body: the customer's answer is not ours to store). */
  error: string | null;
  durationMs: number;
}

/**
 * POSTs one signed event with node's http(s) client. Written on node:http rather than fetch
 * because the connect-time address check needs the agent's `lookup` hook (undici's is not
 * reachable from the built-in fetch without adding undici). Keep-alive agents, one pair per sender.
 */
export class WebhookHttpSender {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(
    private readonly timeoutMs: number,
    private readonly allowPrivate: boolean,
  ) {
    const lookup = allowPrivate ? undefined : (publicOnlyLookup() as unknown as http.AgentOptions['lookup']);
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64, lookup });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64, lookup });
  }

  send(request: WebhookRequest): Promise<WebhookResponse> {
    return this.attempt(request, performance.now(), true);
  }

  private attempt(request: WebhookRequest, started: number, mayRetry: boolean): Promise<WebhookResponse> {
    const done = (result: Omit<WebhookResponse, 'durationMs'>): WebhookResponse => ({
      ...result,
      durationMs: Math.round(performance.now() - started),
    });
    return new Promise((resolve) => {
      let url: URL;
      try {
        url = new URL(request.url);
      } catch {
        resolve(done({ ok: false, statusCode: null, error: 'invalid URL' }));
        return;
      }
      const host = hostOf(url);
      if (!this.allowPrivate && isIP(host) && !isPublicAddress(host)) {
        resolve(done({ ok: false, statusCode: null, error: `refused: ${host} is not a public address` }));
        return;
      }
      const client = url.protocol === 'https:' ? https : http;
      const outgoing = client.request(url, {
        method: 'POST',
        agent: url.protocol === 'https:' ? this.httpsAgent : this.httpAgent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(request.body).toString(),
          'user-agent': 'bulk-sms-webhooks/1',
          ...request.headers,
        },
        timeout: this.timeoutMs,
      });
      // The whole exchange, not just socket inactivity, is bounded: a trickling endpoint is cut too.
      const deadline = setTimeout(
        () => outgoing.destroy(new Error(`timed out after ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`timed out after ${this.timeoutMs} ms`)));
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(deadline);
        // An idle keep-alive connection the endpoint closed just as this request went out on it (its
        // keep-alive timeout, 5 s in node's server): nothing reached the endpoint, so it is sent once
        // more on a new connection, as node's documentation of `request.reusedSocket` advises.
        if (mayRetry && outgoing.reusedSocket && error.code === 'ECONNRESET') {
          resolve(this.attempt(request, started, false));
          return;
        }
        resolve(
          done({ ok: false, statusCode: null, error: error.code ? `${error.code}: ${error.message}` : error.message }),
        );
      });
      outgoing.on('response', (response) => {
        clearTimeout(deadline);
        const statusCode = response.statusCode ?? 0;
        // The body is not read: drain it so the socket can be reused.
        response.resume();
        response.on('error', () => undefined);
        const ok = statusCode >= 200 && statusCode < 300;
        resolve(done({ ok, statusCode, error: ok ? null : `HTTP ${statusCode}` }));
      });
      outgoing.end(request.body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
