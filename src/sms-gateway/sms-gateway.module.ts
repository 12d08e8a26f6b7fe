import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.service';
import { PlivoSandbox } from '../sandbox/sandbox';
import { SandboxModule } from '../sandbox/sandbox.module';
import { PlivoSmsGateway } from './plivo-sms.gateway';
import { ProviderAccount } from './provider-account';
import { SmsGateway } from './sms-gateway';

export const SANDBOX_SENDER_ID = '+14155550100';

/**
 * Binds `SmsGateway` to Plivo: the real account when PLIVO_* is configured, otherwise the
 * in-process sandbox (started by SandboxModule) through the same SDK code path.
 */
@Module({
  imports: [SandboxModule],
  providers: [
    {
      provide: ProviderAccount,
      inject: [AppConfig, PlivoSandbox],
      useFactory: (config: AppConfig, sandbox: PlivoSandbox | null): ProviderAccount => {
        const plivo = config.plivo;
        if (plivo) {
          return new ProviderAccount(
            'plivo',
            plivo.authId,
            plivo.senderId,
            config.webhookSecret ? [config.webhookSecret] : [],
          );
        }
        if (!sandbox) {
          throw new Error('Sandbox mode without a running sandbox');
        }
        return new ProviderAccount('sandbox', sandbox.authId, SANDBOX_SENDER_ID, [sandbox.webhookSecret]);
      },
    },
    {
      provide: SmsGateway,
      inject: [AppConfig, PlivoSandbox],
      useFactory: (config: AppConfig, sandbox: PlivoSandbox | null): SmsGateway => {
        const plivo = config.plivo;
        if (plivo) {
          return new PlivoSmsGateway({
            authId: plivo.authId,
            authToken: plivo.authToken,
            apiUrl: plivo.apiUrl,
            timeoutMs: plivo.timeoutMs,
          });
        }
        if (!sandbox) {
          throw new Error('Sandbox mode without a running sandbox');
        }
        return new PlivoSmsGateway({
          authId: sandbox.authId,
          authToken: sandbox.authToken,
          apiUrl: sandbox.apiUrl,
          timeoutMs: config.plivoTimeoutMs,
        });
      },
    },
  ],
  exports: [SmsGateway, ProviderAccount],
})
export class SmsGatewayModule {}
