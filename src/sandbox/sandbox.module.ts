import { Inject, Injectable, Logger, Module, OnApplicationShutdown, Optional } from '@nestjs/common';
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
export class SandboxHost implements OnApplicationShutdown {
  private readonly logger = new Logger(SandboxHost.name);
  private starting: Promise<PlivoSandbox | null> | undefined;
  private sandbox: PlivoSandbox | undefined;

  constructor(
    private readonly config: AppConfig,
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
    const sandbox = new PlivoSandbox({
      ...knobs,
      ...(variables.SANDBOX_AUTH_ID ? { authId } : {}),
      ...(variables.SANDBOX_AUTH_TOKEN ? { authToken } : {}),
      ...(variables.SANDBOX_WEBHOOK_SECRET ? { webhookSecret } : secret ? { webhookSecret: secret } : {}),
      // Replies go to this service's inbound webhook, as the Plivo console's Message URL would send them.
      ...(variables.SANDBOX_INBOUND_URL ? {} : { inboundUrl: this.config.inboundMessageUrl }),
      ...(this.overrides ?? {}),
    });
    await sandbox.start(this.overrides?.port ?? this.config.sandboxPort);
    this.sandbox = sandbox;
    this.logger.log(`Plivo sandbox listening on ${sandbox.url} (account ${sandbox.authId})`);
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
