import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AuthenticatedAccount } from '../common/auth/authenticated-account';
import { CurrentAccount } from '../common/auth/current-account.decorator';
import { RequireScope } from '../common/auth/require-scope.decorator';
import { Scope } from '../common/auth/scope.enum';
import { WebhookDeliveryRecord, WebhookEndpointRecord } from '../persistence/webhook.repository';
import { WebhookDeliveriesArgs } from './dto/webhook-deliveries.args';
import { WebhookDelivery, WebhookDeliveryConnection, WebhookDeliveryState } from './models/webhook-delivery.model';
import { CreatedWebhookEndpoint, WebhookEndpoint } from './models/webhook-endpoint.model';
import { WebhookEndpointsService } from './webhook-endpoints.service';

@Resolver(() => WebhookEndpoint)
export class WebhooksResolver {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  @Query(() => [WebhookEndpoint], { description: "the account's webhook endpoints, oldest first" })
  @RequireScope(Scope.CAMPAIGNS_READ)
  async webhookEndpoints(@CurrentAccount() account: AuthenticatedAccount): Promise<WebhookEndpoint[]> {
    return (await this.endpoints.list(account.accountId)).map(toEndpoint);
  }

  @Query(() => WebhookDeliveryConnection, { description: "an endpoint's delivery log, newest first" })
  @RequireScope(Scope.CAMPAIGNS_READ)
  async webhookDeliveries(
    @CurrentAccount() account: AuthenticatedAccount,
    @Args() args: WebhookDeliveriesArgs,
  ): Promise<WebhookDeliveryConnection> {
    const page = await this.endpoints.deliveries(
      account.accountId,
      args.endpointId,
      args.first ?? 50,
      args.after,
      args.state,
    );
    return {
      edges: page.items.map(({ cursor, delivery }) => ({ cursor, node: toDelivery(delivery) })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.items.at(-1)?.cursor ?? null },
    };
  }

  @Mutation(() => CreatedWebhookEndpoint, {
    description: 'Registers a URL for events (see docs/results.md); the signing secret is returned only here.',
  })
  @RequireScope(Scope.WEBHOOKS_WRITE)
  async createWebhookEndpoint(
    @CurrentAccount() account: AuthenticatedAccount,
    @Args('url') url: string,
    @Args('events', { type: () => [String] }) events: string[],
  ): Promise<CreatedWebhookEndpoint> {
    const { endpoint, secret } = await this.endpoints.create(account.accountId, url, events);
    return { endpoint: toEndpoint(endpoint), secret };
  }

  @Mutation(() => Boolean, { description: 'deletes the endpoint and its delivery log' })
  @RequireScope(Scope.WEBHOOKS_WRITE)
  deleteWebhookEndpoint(
    @CurrentAccount() account: AuthenticatedAccount,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<boolean> {
    return this.endpoints.delete(account.accountId, id);
  }

  @Mutation(() => WebhookEndpoint, { description: 'turns a disabled endpoint back on; its pending deliveries resume' })
  @RequireScope(Scope.WEBHOOKS_WRITE)
  async enableWebhookEndpoint(
    @CurrentAccount() account: AuthenticatedAccount,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<WebhookEndpoint> {
    return toEndpoint(await this.endpoints.enable(account.accountId, id));
  }

  @Mutation(() => WebhookDelivery, {
    description: "sends a delivery again (in its campaign's order); a disabled endpoint receives it once enabled",
  })
  @RequireScope(Scope.WEBHOOKS_WRITE)
  async replayWebhookDelivery(
    @CurrentAccount() account: AuthenticatedAccount,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<WebhookDelivery> {
    return toDelivery(await this.endpoints.replay(account.accountId, id));
  }
}

function toEndpoint(record: WebhookEndpointRecord): WebhookEndpoint {
  return {
    id: record.id,
    url: record.url,
    events: record.events,
    createdAt: record.createdAt,
    enabled: record.disabledAt === null,
    disabledAt: record.disabledAt,
    disabledReason: record.disabledReason,
    consecutiveFailures: record.consecutiveFailures,
    lastSuccessAt: record.lastSuccessAt,
    lastFailureAt: record.lastFailureAt,
  };
}

function toDelivery(record: WebhookDeliveryRecord): WebhookDelivery {
  return { ...record, state: record.state as WebhookDeliveryState };
}
