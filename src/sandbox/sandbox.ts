import { AddressInfo } from 'node:net';
import http from 'node:http';
import { SandboxAccount, SandboxAccounts } from './sandbox-accounts';
import { SandboxCallbackDispatcher } from './sandbox-callbacks';
import { SandboxEngine } from './sandbox-engine';
import { SandboxFaults } from './sandbox-faults';
import { SandboxInbound, SandboxInboundMessage } from './sandbox-inbound';
import { SandboxJournal } from './sandbox-journal';
import { SandboxMpsQueue } from './sandbox-mps-queue';
import { SandboxRateLimits } from './sandbox-rate-limits';
import { SandboxRecords } from './sandbox-records';
import { SandboxScheduler } from './sandbox-scheduler';
import { createSandboxServer, RequestStats } from './sandbox.server';
import { defaultSandboxOptions, SandboxOptions, SandboxRuntimeConfig, validateRuntimeConfig } from './sandbox.options';

const FIXED_SETTINGS = ['host', 'port', 'authId', 'authToken', 'webhookSecret'];

/** Where a sandbox that outlives restarts keeps its state (the in-process one: `DATA_DIR/sandbox`). */
export interface SandboxPersistence {
  stateDir: string;
}

export interface SandboxStats {
  uptimeMs: number;
  requests: RequestStats;
  submissions: { batches: number; messages: number; duplicateNumbers: number };
  messages: ReturnType<SandboxEngine['stats']>['messages'] & { expired: number };
  callbacks: ReturnType<SandboxEngine['stats']>['callbacks'] & ReturnType<SandboxCallbackDispatcher['snapshot']>;
  mpsQueue: Record<string, number>;
  scheduled: number;
  balanceUsd: number | null;
}

/**
 * A local Plivo: the Message and Pricing APIs as plivo-node calls them, an MPS queue with expiry,
 * signed status callbacks with Plivo's retries, and seeded fault injection. See docs/sandbox.md.
 */
export class PlivoSandbox {
  readonly records = new SandboxRecords();
  /** The main account and the sub-accounts created through the Subaccount API. */
  readonly accounts: SandboxAccounts;
  private current: SandboxOptions;
  private readonly journal: SandboxJournal | null;
  private readonly scheduler = new SandboxScheduler();
  private readonly mps = new SandboxMpsQueue();
  private readonly limits: SandboxRateLimits;
  private readonly faults: SandboxFaults;
  private readonly dispatcher: SandboxCallbackDispatcher;
  private readonly engine: SandboxEngine;
  private readonly inbound: SandboxInbound;
  private readonly http: ReturnType<typeof createSandboxServer>;
  private startedAt = 0;
  private listeningPort: number | undefined;

  /**
   * With `persistence`, the sandbox keeps its credentials (unless given), sub-accounts and messages in
   * `stateDir` and takes them over when started again there (docs/sandbox.md, Restarts).
   */
  constructor(options: Partial<SandboxOptions> = {}, persistence?: SandboxPersistence) {
    this.current = defaultSandboxOptions(options);
    let restored: NonNullable<ReturnType<typeof SandboxJournal.open>>['state'] | undefined;
    if (persistence) {
      const stored = SandboxJournal.credentials(persistence.stateDir, this.current);
      if (options.authId === undefined && options.authToken === undefined) {
        this.current.authId = stored.authId;
        this.current.authToken = stored.authToken;
      }
      // Null while another sandbox (another service on this DATA_DIR) keeps it: this one keeps nothing.
      const opened = SandboxJournal.open(persistence.stateDir, Date.now());
      this.journal = opened?.journal ?? null;
      restored = opened?.state;
    } else {
      this.journal = null;
    }
    this.accounts = new SandboxAccounts(
      () => this.current,
      (account) => this.journal?.subaccount(account),
    );
    if (options.webhookSecret === undefined) {
      this.current.webhookSecret = this.current.authToken;
    }
    const errors = validateRuntimeConfig(this.current);
    if (errors.length > 0) {
      throw new Error(`Invalid sandbox options:\n  - ${errors.join('\n  - ')}`);
    }
    const o = this.current;
    this.limits = new SandboxRateLimits(o.rateLimitRequests, o.rateLimitWindowMs, o.maxConcurrentRequests);
    this.faults = new SandboxFaults(o, Date.now());
    this.dispatcher = new SandboxCallbackDispatcher(this.scheduler, o.callbackConcurrency, () => ({
      secret: this.current.webhookSecret,
      // Real time, never scaled: a receiver gets as long to answer as Plivo gives it, however fast
      // the sandbox's clock runs (a scaled 800 ms turned a busy receiver into endless retries).
      timeoutMs: this.current.callbackTimeoutMs,
      retryDelaysMs: this.current.callbackRetryDelaysMs.map((d) => d * this.current.timeScale),
    }));
    this.inbound = new SandboxInbound(() => this.current, this.scheduler, this.dispatcher);
    this.engine = new SandboxEngine(
      () => this.current,
      this.records,
      this.scheduler,
      this.dispatcher,
      this.mps,
      this.inbound,
      this.journal,
    );
    if (restored) {
      this.accounts.restore(restored.subaccounts.map(({ kind: _kind, ...a }) => ({ ...a, isSubaccount: true })));
      this.engine.restore(restored);
    }
    this.http = createSandboxServer({
      options: () => this.current,
      engine: this.engine,
      records: this.records,
      accounts: this.accounts,
      limits: this.limits,
      faults: this.faults,
      control: {
        stats: () => this.stats(),
        config: () => this.publicConfig(),
        configure: (patch) => this.tryConfigure(patch),
        reset: () => this.reset(),
        inbound: () => this.inbound.received,
        sendInbound: (from, to, text) => this.sendInbound(from, to, text),
      },
    });
  }

  get authId(): string {
    return this.current.authId;
  }

  get authToken(): string {
    return this.current.authToken;
  }

  get webhookSecret(): string {
    return this.current.webhookSecret;
  }

  get options(): Readonly<SandboxOptions> {
    return this.current;
  }

  get port(): number {
    if (this.listeningPort === undefined) {
      throw new Error('The sandbox is not started');
    }
    return this.listeningPort;
  }

  /** `http://127.0.0.1:PORT` (control API under `/__sandbox/`). */
  get url(): string {
    const host = this.current.host === '0.0.0.0' || this.current.host === '::' ? '127.0.0.1' : this.current.host;
    return `http://${host}:${this.port}`;
  }

  /** What PLIVO_API_URL should be: the SDK base without the auth id. */
  get apiUrl(): string {
    return `${this.url}/v1/Account/`;
  }

  async start(port: number = this.current.port): Promise<this> {
    const server: http.Server = this.http.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.current.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.listeningPort = (server.address() as AddressInfo).port;
    this.startedAt = Date.now();
    this.faults.reconfigure(this.current, this.startedAt, { restartStorm: true });
    return this;
  }

  /**
   * Messages taken over from the journal and not yet final go on (see SandboxEngine.resumeRestored):
   * called once the service that receives their callbacks listens. Nothing to do without a journal.
   */
  resumeRestored(): void {
    this.engine.resumeRestored();
  }

  async stop(): Promise<void> {
    this.scheduler.stop();
    this.dispatcher.stop();
    this.journal?.close();
    const server = this.http.server;
    if (!server.listening) {
      return;
    }
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Also drops hung (timeout fault) requests and idle keep-alive sockets.
      server.closeAllConnections();
    });
    this.listeningPort = undefined;
  }

  /** Changes knobs at run time; throws listing every problem. MPS changes apply to newly accepted messages. */
  configure(patch: SandboxRuntimeConfig): void {
    const errors = this.tryConfigure(patch);
    if (errors.length > 0) {
      throw new Error(`Invalid sandbox configuration:\n  - ${errors.join('\n  - ')}`);
    }
  }

  /** Replies the sandbox's recipients sent (STOP, HELP, free text), oldest first. */
  get inboundMessages(): readonly SandboxInboundMessage[] {
    return this.inbound.received;
  }

  /** A recipient sends `text` to `to` now, posted signed to the Message URL (inboundUrl). */
  sendInbound(from: string, to: string, text: string): SandboxInboundMessage {
    return this.inbound.send(from, to, text, Date.now());
  }

  /** Creates a sub-account directly (tests); the same as `POST /v1/Account/{id}/Subaccount/`. */
  createSubaccount(name: string): SandboxAccount {
    return this.accounts.create(name, true, Date.now());
  }

  /**
   * Clears records, stats, queues, pending callbacks and credit; re-seeds the fault stream.
   * Sub-accounts stay, like the main account's credentials.
   */
  reset(): void {
    this.scheduler.clear();
    this.dispatcher.clear();
    this.mps.clear();
    this.records.clear();
    this.inbound.clear();
    this.engine.reset();
    this.limits.reset();
    this.http.resetStats();
    this.faults.reconfigure(this.current, Date.now(), { reseed: true, restartStorm: true });
  }

  stats(): SandboxStats {
    const engine = this.engine.stats();
    return {
      uptimeMs: this.startedAt ? Date.now() - this.startedAt : 0,
      requests: { ...this.http.stats, byStatus: { ...this.http.stats.byStatus } },
      submissions: {
        batches: this.records.submissions.length,
        messages: this.records.messageCount,
        duplicateNumbers: this.records.duplicateNumberCount,
      },
      messages: { ...engine.messages, expired: engine.expired },
      callbacks: { ...engine.callbacks, ...this.dispatcher.snapshot() },
      mpsQueue: this.mps.depths(),
      scheduled: this.scheduler.size,
      balanceUsd: engine.balanceUsd,
    };
  }

  /** Resolves once nothing is scheduled, queued or in flight (all callbacks and retries done). */
  async whenIdle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.scheduler.size > 0 || this.dispatcher.pending > 0) {
      if (Date.now() > deadline) {
        throw new Error(`Sandbox still busy after ${timeoutMs} ms: ${JSON.stringify(this.stats().callbacks)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private tryConfigure(patch: SandboxRuntimeConfig): string[] {
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
      return ['configuration must be an object'];
    }
    const fixed = Object.keys(patch).filter((key) => FIXED_SETTINGS.includes(key));
    const next: SandboxOptions = { ...this.current, ...patch };
    const errors = [...fixed.map((key) => `${key} cannot change at run time`), ...validateRuntimeConfig(next)];
    if (errors.length > 0) {
      return errors;
    }
    const reseed = patch.seed !== undefined && patch.seed !== this.current.seed;
    this.current = next;
    this.limits.reconfigure(next.rateLimitRequests, next.rateLimitWindowMs, next.maxConcurrentRequests);
    this.faults.reconfigure(next, Date.now(), {
      reseed,
      restartStorm: 'stormStartMs' in patch || 'stormDurationMs' in patch,
    });
    this.dispatcher.setConcurrency(next.callbackConcurrency);
    if ('creditUsd' in patch) {
      this.engine.setCredit(next.creditUsd);
    }
    return [];
  }

  private publicConfig(): Omit<SandboxOptions, 'authToken' | 'webhookSecret'> {
    const { authToken: _token, webhookSecret: _secret, ...rest } = this.current;
    return { ...rest, port: this.listeningPort ?? rest.port };
  }
}
