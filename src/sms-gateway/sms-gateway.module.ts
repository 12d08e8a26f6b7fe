import { DynamicModule, InjectionToken, Module, ModuleMetadata, OptionalFactoryDependency } from '@nestjs/common';
import { PlivoEndpoint } from './plivo-endpoint';
import { PlivoSmsGateway } from './plivo-sms.gateway';
import { ProviderAccount } from './provider-account';
import { SmsGateway } from './sms-gateway';
import { SmsGatewayFactory } from './sms-gateway-factory';

export interface SmsGatewayModuleOptions {
  /** Modules providing what `useFactory` injects (e.g. the sandbox). */
  imports?: ModuleMetadata['imports'];
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  /** Builds the Plivo endpoint: the real account or a sandbox. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  useFactory: (...args: any[]) => PlivoEndpoint | Promise<PlivoEndpoint>;
}

/**
 * Binds `SmsGateway`, `SmsGatewayFactory` and `ProviderAccount` to a Plivo endpoint. The composition root calls
 * `forRoot` once (global); feature modules import `SmsGatewayModule` to declare the dependency.
 */
@Module({})
export class SmsGatewayModule {
  static forRoot(options: SmsGatewayModuleOptions): DynamicModule {
    return {
      module: SmsGatewayModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        { provide: PlivoEndpoint, inject: options.inject ?? [], useFactory: options.useFactory },
        {
          provide: ProviderAccount,
          inject: [PlivoEndpoint],
          useFactory: (endpoint: PlivoEndpoint) =>
            new ProviderAccount(endpoint.mode, endpoint.authId, endpoint.senderId, [...endpoint.webhookSecrets]),
        },
        {
          provide: SmsGateway,
          inject: [PlivoEndpoint],
          useFactory: (endpoint: PlivoEndpoint): SmsGateway =>
            new PlivoSmsGateway({
              authId: endpoint.authId,
              authToken: endpoint.authToken,
              apiUrl: endpoint.apiUrl,
              timeoutMs: endpoint.timeoutMs,
            }),
        },
        {
          provide: SmsGatewayFactory,
          inject: [PlivoEndpoint],
          useFactory: (endpoint: PlivoEndpoint) => new SmsGatewayFactory(endpoint),
        },
      ],
      exports: [PlivoEndpoint, SmsGateway, SmsGatewayFactory, ProviderAccount],
    };
  }
}
