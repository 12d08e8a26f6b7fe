import { createHmac, randomInt } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { plivoV3SignedString, signPlivoV3 } from '../common/plivo-signature/plivo-v3-signature';
import { SandboxScheduler } from './sandbox-scheduler';

export interface CallbackJob {
  url: string;
  method: 'GET' | 'POST';
  /** The fields, keys sorted: built when the callback is sent (and again for each retry), not kept queued. */
  params: () => Record<string, string>;
  attempt: number;
  /**
   * The token of the sub-account that owns the message: it signs X-Plivo-Signature-V3, while
   * Ma-V3 stays signed with the main account's secret. Unset for the main account's messages.
   */
  subaccountToken?: string;
  /** Called once the callback is answered 2xx or given up on (not when the sandbox stops first). */
  onSettled?: () => void;
}

export interface CallbackSettings {
  secret: string;
  /** Real milliseconds. */
  timeoutMs: number;
  /** Real milliseconds, one per retry. */
  retryDelaysMs: number[];
}

export interface CallbackStats {
  attempts: number;
  succeeded: number;
  failedAttempts: number;
  retriesScheduled: number;
  gaveUp: number;
  inFlight: number;
  queued: number;
}

interface Target {
  client: typeof http | typeof https;
  agent: http.Agent;
  hostname: string;
  port: number;
  path: string;
  /** POST: everything the signature covers before the body pairs. */
  signedPrefix: string;
}

interface Flight {
  job: CallbackJob;
  settings: CallbackSettings;
  deadline: number;
  request: http.ClientRequest;
  settled: boolean;
}

const MAX_CACHED_TARGETS = 10_000;
const SWEEP_INTERVAL_MS = 50;

/**
 * Sends signed status callbacks like Plivo: keep-alive sockets, a bounded number in flight, a
 * timeout, then retries (60/120/240 s in Plivo time) through the shared scheduler.
 */
export class SandboxCallbackDispatcher {
  private readonly queue: CallbackJob[] = [];
  private head = 0;
  private inFlight = 0;
  private readonly targets = new Map<string, Target>();
  private readonly flights = new Set<Flight>();
  private sweeper: NodeJS.Timeout | undefined;
  private httpAgent: http.Agent;
  private httpsAgent: https.Agent;
  private readonly nonceBase = String(randomInt(10_000_000, 99_999_999));
  private nonceCounter = 0;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];
  readonly stats: CallbackStats = {
    attempts: 0,
    succeeded: 0,
    failedAttempts: 0,
    retriesScheduled: 0,
    gaveUp: 0,
    inFlight: 0,
    queued: 0,
  };

  constructor(
    private readonly scheduler: SandboxScheduler,
    private concurrency: number,
    private readonly settings: () => CallbackSettings,
  ) {
    this.httpAgent = new http.Agent({
      keepAlive: true,
      maxSockets: concurrency,
      maxFreeSockets: concurrency,
      scheduling: 'lifo',
    });
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets: concurrency,
      maxFreeSockets: concurrency,
      scheduling: 'lifo',
    });
  }

  setConcurrency(concurrency: number): void {
    this.concurrency = concurrency;
    this.httpAgent.maxSockets = concurrency;
    this.httpsAgent.maxSockets = concurrency;
    this.pump();
  }

  enqueue(job: CallbackJob): void {
    if (this.stopped) {
      return;
    }
    this.queue.push(job);
    this.pump();
  }

  get pending(): number {
    return this.queue.length - this.head + this.inFlight;
  }

  /** Resolves when nothing is queued or in flight (retries waiting in the scheduler do not count). */
  whenDrained(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  clear(): void {
    this.queue.length = 0;
    this.head = 0;
    for (const flight of this.flights) {
      flight.settled = true;
      flight.request.destroy();
    }
    this.inFlight = 0;
    this.flights.clear();
    if (this.sweeper !== undefined) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  stop(): void {
    this.stopped = true;
    this.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.notifyIdle();
  }

  snapshot(): CallbackStats {
    return { ...this.stats, inFlight: this.inFlight, queued: this.queue.length - this.head };
  }

  private pump(): void {
    while (this.inFlight < this.concurrency && this.head < this.queue.length && !this.stopped) {
      const job = this.queue[this.head];
      this.queue[this.head++] = undefined as unknown as CallbackJob;
      if (this.head > 4096 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.send(job);
    }
    if (this.pending === 0) {
      this.notifyIdle();
    }
  }

  private send(job: CallbackJob): void {
    const settings = this.settings();
    let target: Target;
    try {
      target = this.target(job.url);
    } catch {
      this.stats.gaveUp++;
      job.onSettled?.();
      return;
    }
    const nonce = this.nonce();
    let sign: (secret: string) => string;
    let path = target.path;
    let body: string | undefined;
    const params = job.params();
    if (job.method === 'POST') {
      let signed = target.signedPrefix;
      body = '';
      for (const key in params) {
        const value = params[key];
        signed += key + value;
        body += (body ? '&' : '') + key + '=' + encodeURIComponent(value);
      }
      sign = (secret) => createHmac('sha256', secret).update(`${signed}.${nonce}`).digest('base64');
    } else {
      sign = (secret) => signPlivoV3('GET', job.url, nonce, secret, params);
      const query = new URLSearchParams(params).toString();
      path += (path.includes('?') ? '&' : '?') + query;
    }
    const mainSignature = sign(settings.secret);
    const headers: http.OutgoingHttpHeaders = {
      'X-Plivo-Signature-V3': job.subaccountToken === undefined ? mainSignature : sign(job.subaccountToken),
      'X-Plivo-Signature-Ma-V3': mainSignature,
      'X-Plivo-Signature-V3-Nonce': nonce,
      'User-Agent': 'PlivoSandbox/1.0',
    };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    this.inFlight++;
    this.stats.attempts++;
    const flight: Flight = {
      job,
      settings,
      deadline: Date.now() + settings.timeoutMs,
      request: undefined as unknown as http.ClientRequest,
      settled: false,
    };
    const request = target.client.request(
      { agent: target.agent, hostname: target.hostname, port: target.port, path, method: job.method, headers },
      (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        this.finish(flight, status >= 200 && status < 300);
      },
    );
    flight.request = request;
    this.flights.add(flight);
    this.ensureSweeper();
    request.on('error', () => this.finish(flight, false));
    request.end(body);
  }

  private finish(flight: Flight, ok: boolean): void {
    if (flight.settled) {
      return;
    }
    flight.settled = true;
    this.inFlight--;
    this.flights.delete(flight);
    if (ok) {
      this.stats.succeeded++;
      flight.job.onSettled?.();
    } else {
      this.stats.failedAttempts++;
      this.retry(flight.job, flight.settings);
    }
    this.pump();
  }

  // One interval checks every request's deadline: cheaper than a socket timer per request.
  private ensureSweeper(): void {
    if (this.sweeper !== undefined) {
      return;
    }
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const flight of this.flights) {
        if (now >= flight.deadline) {
          flight.request.destroy(new Error('callback timeout'));
          this.finish(flight, false);
        }
      }
      if (this.flights.size === 0) {
        clearInterval(this.sweeper);
        this.sweeper = undefined;
      }
    }, SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  private retry(job: CallbackJob, settings: CallbackSettings): void {
    if (this.stopped) {
      return;
    }
    const delay = settings.retryDelaysMs[job.attempt];
    if (delay === undefined) {
      this.stats.gaveUp++;
      job.onSettled?.();
      return;
    }
    this.stats.retriesScheduled++;
    this.scheduler.at(Date.now() + delay, (next: CallbackJob) => this.enqueue(next), {
      ...job,
      attempt: job.attempt + 1,
    });
  }

  private target(url: string): Target {
    const cached = this.targets.get(url);
    if (cached) {
      return cached;
    }
    const parsed = new URL(url);
    const secure = parsed.protocol === 'https:';
    const signed = plivoV3SignedString('POST', url, { _: '' });
    const target: Target = {
      client: secure ? https : http,
      agent: secure ? this.httpsAgent : this.httpAgent,
      hostname: parsed.hostname.replace(/^\[|\]$/g, ''),
      port: Number(parsed.port || (secure ? 443 : 80)),
      path: `${parsed.pathname}${parsed.search}`,
      signedPrefix: signed.slice(0, signed.length - '_'.length),
    };
    if (this.targets.size >= MAX_CACHED_TARGETS) {
      this.targets.clear();
    }
    this.targets.set(url, target);
    return target;
  }

  // Plivo's nonces are 20-digit numbers; unique per attempt so receivers can keep a replay cache.
  private nonce(): string {
    this.nonceCounter = (this.nonceCounter + 1) % 1e12;
    return this.nonceBase + String(this.nonceCounter).padStart(12, '0');
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) {
      resolve();
    }
  }
}
