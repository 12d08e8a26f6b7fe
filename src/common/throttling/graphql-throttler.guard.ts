import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { GraphqlContext } from '../graphql/graphql-context';
import { GraphqlRateLimit } from './graphql-rate-limit';

/**
 * One rate limit per account for every GraphQL operation, over HTTP and graphql-ws alike
 * (a subscription counts once, when it starts). The account is known before any guard runs
 * (GraphqlRequestGate, GraphqlWsConnections); without one the caller's address is the key.
 * Webhooks and health checks are not throttled here: Plivo must never be told to back off.
 */
@Injectable()
export class GraphqlThrottlerGuard implements CanActivate {
  constructor(private readonly rateLimit: GraphqlRateLimit) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType<string>() !== 'graphql') {
      return true;
    }
    await this.rateLimit.take(GqlExecutionContext.create(context).getContext<GraphqlContext>());
    return true;
  }
}
