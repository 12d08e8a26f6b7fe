import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { InjectThrottlerStorage, ThrottlerStorage } from '@nestjs/throttler';
import { GraphQLError } from 'graphql';
import { AppConfig } from '../../config/app-config.service';
import { ErrorCode } from '../errors/error-code.enum';
import type { GraphqlContext } from '../graphql/graphql-context';

const THROTTLER_NAME = 'graphql';

/**
 * One rate limit per account for every GraphQL operation, over HTTP and graphql-ws alike
 * (a subscription counts once, when it starts). The account is known before any guard runs
 * (GraphqlRequestGate, GraphqlWsConnections); without one the caller's address is the key.
 * Webhooks and health checks are not throttled here: Plivo must never be told to back off.
 */
@Injectable()
export class GraphqlThrottlerGuard implements CanActivate {
  constructor(
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
    private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType<string>() !== 'graphql') {
      return true;
    }
    const { req, res } = GqlExecutionContext.create(context).getContext<GraphqlContext>();
    const tracker = req.account ? `account:${req.account.accountId}` : `address:${req.ip ?? 'unknown'}`;
    const { rateLimit, rateWindowMs } = this.config.graphql;
    // A sliding window (no block duration): a refused request does not count.
    const { isBlocked, timeToBlockExpire } = await this.storage.increment(
      tracker,
      rateWindowMs,
      rateLimit,
      0,
      THROTTLER_NAME,
    );
    if (!isBlocked) {
      return true;
    }
    res?.setHeader('Retry-After', String(timeToBlockExpire));
    throw new GraphQLError(
      `Too many requests: at most ${rateLimit} per ${rateWindowMs / 1000} s per account; retry in ${timeToBlockExpire} s`,
      { extensions: { code: ErrorCode.TOO_MANY_REQUESTS } },
    );
  }
}
