import {
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import path from 'node:path';
import { AppConfig } from '../config/app-config.service';
import { PlivoEndpoint } from '../sms-gateway/plivo-endpoint';
import { PlivoSandbox } from './sandbox';
import { parseSandboxOptions, SandboxOptions } from './sandbox.options';

/** Optional overrides for the in-process sandbox (e.g. `{ timeScale: 0.001 }` in e2e tests). */
export const SANDBOX_OPTIONS = Symbol('SANDBOX_OPTIONS');

/** The sender id the gateway uses against the sandbox. */
export const SANDBOX_SENDER_ID = '+14155550100';

/**
 * Owns the in-process sandbox: started once in sandbox mode (no Plivo account configured),
 * stopped on shutdown. In real mode `start()` returns null and nothing listens.
 */
@Injectable()
export class SandboxHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SandboxHost.name);
  private starting: Promise<PlivoSandbox | null> | undefined;
  private sandbox: PlivoSandbox | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
    @Optional() @Inject(SANDBOX_OPTIONS) private readonly overrides: Partial<SandboxOptions> | null,
  ) {}

  start(): Promise<PlivoSandbox | null> {
    this.starting ??= this.startOnce();
    return this.starting;
  }

  /** The running sandbox as the gateway's Plivo endpoint (sandbox mode only). */
  async endpoint(): Promise<PlivoEndpoint> {
    const sandbox = await this.start();
    if (!sandbox) {
      throw new Error('Sandbox mode without a running sandbox');
    }
    return {
      mode: 'sandbox',
      authId: sandbox.authId,
      authToken: sandbox.authToken,
      apiUrl: sandbox.apiUrl,
      senderId: SANDBOX_SENDER_ID,
      webhookSecrets: [sandbox.webhookSecret],
      timeoutMs: this.config.plivoTimeoutMs,
    };
  }

  /**
   * A sandbox restarted on its journal goes on with the messages it had not finished once the service
   * listens: their callbacks would find nobody before (and be retried only a minute later).
   */
  async onApplicationBootstrap(): Promise<void> {
    const sandbox = await this.start();
    if (!sandbox) {
      return;
    }
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server || server.listening) {
      sandbox.resumeRestored();
    } else {
      server.once('listening', () => sandbox.resumeRestored());
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sandbox?.stop();
  }

  private async startOnce(): Promise<PlivoSandbox | null> {
    if (!this.config.isSandbox) {
      return null;
    }
    // Knobs from SANDBOX_* variables; credentials stay random unless set explicitly, and the
    // signing secret is PLIVO_WEBHOOK_SECRET when set, else random.
    const variables = this.config.sandboxVariables;
    const { options, errors } = parseSandboxOptions(variables);
    if (!options) {
      throw new Error(`Invalid sandbox configuration:\n${errors.map((e) => `  - ${e}`).join('\n')}`);
    }
    const { authId, authToken, webhookSecret, port: _port, host: _host, ...knobs } = options;
    const secret = this.config.webhookSecret;
    // Kept under DATA_DIR: a restarted service finds the Plivo it left (docs/sandbox.md, Restarts).
    const persistence = { stateDir: path.join(this.config.dataDir, 'sandbox') };
    const sandbox = new PlivoSandbox(
      {
        ...knobs,
        ...(variables.SANDBOX_AUTH_ID ? { authId } : {}),
        ...(variables.SANDBOX_AUTH_TOKEN ? { authToken } : {}),
        ...(variables.SANDBOX_WEBHOOK_SECRET ? { webhookSecret } : secret ? { webhookSecret: secret } : {}),
        // Replies go to this service's inbound webhook, as the Plivo console's Message URL would send them.
        ...(variables.SANDBOX_INBOUND_URL ? {} : { inboundUrl: this.config.inboundMessageUrl }),
        ...(this.overrides ?? {}),
      },
      persistence,
    );
    await sandbox.start(this.overrides?.port ?? this.config.sandboxPort);
    this.sandbox = sandbox;
    const restored = sandbox.records.messageCount;
    this.logger.log(
      `Plivo sandbox listening on ${sandbox.url} (account ${sandbox.authId})` +
        (restored > 0 ? `; ${restored} message(s) taken over from ${persistence.stateDir}` : ''),
    );
    return sandbox;
  }
}

@Module({
  providers: [
    SandboxHost,
    { provide: PlivoSandbox, inject: [SandboxHost], useFactory: (host: SandboxHost) => host.start() },
  ],
  exports: [SandboxHost, PlivoSandbox],
})
export class SandboxModule {}
