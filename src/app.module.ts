import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { ThrottlerModule } from '@nestjs/throttler';
import { AccountsModule } from './accounts/accounts.module';
import { AuditModule } from './audit/audit.module';
import { CampaignsModule } from './campaigns/campaigns.module';
import { ConsentModule } from './consent/consent.module';
import { IdleWorkerPoolsShutdown } from './common/async/idle-worker-pools.shutdown';
import { AuthModule } from './common/auth/auth.module';
import { ConsoleModule } from './console/console.module';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { graphqlConfig } from './common/graphql/graphql.config';
import { GraphqlTransportModule } from './common/graphql/graphql-transport.module';
import { GraphqlWsConnections } from './common/graphql/graphql-ws-connections';
import { RequestDrain } from './common/http/request-drain';
import { createValidationPipe } from './common/graphql/validation.pipe';
import { LoggingModule } from './common/logging/logging.module';
import { MetricsModule } from './common/metrics/metrics.module';
import { GraphqlRateLimit } from './common/throttling/graphql-rate-limit';
import { GraphqlThrottlerGuard } from './common/throttling/graphql-throttler.guard';
import { AppConfig } from './config/app-config.service';
import { ConfigModule } from './config/config.module';
import { Environment } from './config/env.schema';
import { DeliveryReportsModule } from './delivery-reports/delivery-reports.module';
import { ExportModule } from './export/export.module';
import { HealthModule } from './health/health.module';
import { MessagingModule } from './messaging/messaging.module';
import { PersistenceModule } from './persistence/persistence.module';
import { PricingModule } from './pricing/pricing.module';
import { RecipientListsModule } from './recipient-lists/recipient-lists.module';
import { RetentionModule } from './retention/retention.module';
import { SandboxHost, SandboxModule } from './sandbox/sandbox.module';
import { plivoAccountEndpoint } from './sms-gateway/plivo-endpoint';
import { SmsGatewayModule } from './sms-gateway/sms-gateway.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/**
 * The SMS gateway's Plivo endpoint, chosen here: the real account when PLIVO_* is configured,
 * otherwise the in-process sandbox (started by SandboxModule) through the same SDK code path.
 */
export function smsGatewayRoot(): DynamicModule {
  return SmsGatewayModule.forRoot({
    imports: [SandboxModule],
    inject: [AppConfig, SandboxHost],
    useFactory: (config: AppConfig, sandbox: SandboxHost) => plivoAccountEndpoint(config) ?? sandbox.endpoint(),
  });
}

@Module({})
export class AppModule {
  /** `env` is the validated environment; tests pass their own, main.ts the process's. */
  static forRoot(env?: Environment): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(env),
        LoggingModule,
        MetricsModule,
        PersistenceModule,
        AuthModule,
        ThrottlerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => [{ ttl: config.graphql.rateWindowMs, limit: config.graphql.rateLimit }],
        }),
        GraphqlTransportModule,
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          imports: [GraphqlTransportModule],
          inject: [AppConfig, GraphqlWsConnections, RequestDrain, GraphqlRateLimit],
          useFactory: graphqlConfig,
        }),
        HealthModule,
        smsGatewayRoot(),
        MessagingModule,
        PricingModule,
        CampaignsModule,
        RecipientListsModule,
        DeliveryReportsModule,
        ConsoleModule,
        ConsentModule,
        // Results out (issue 15): exports, customer webhooks, retention.
        ExportModule,
        WebhooksModule,
        RetentionModule,
        // Accounts, keys and scopes, audit log (issue 16).
        AccountsModule,
        AuditModule,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        // Per account: GraphQL requests are authenticated before any guard runs.
        { provide: APP_GUARD, useClass: GraphqlThrottlerGuard },
        IdleWorkerPoolsShutdown,
      ],
    };
  }
}
