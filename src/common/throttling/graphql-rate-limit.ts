import { Injectable } from '@nestjs/common';
import { InjectThrottlerStorage, ThrottlerStorage } from '@nestjs/throttler';
import { GraphQLError } from 'graphql';
import { AppConfig } from '../../config/app-config.service';
import { ErrorCode } from '../errors/error-code.enum';
import type { GraphqlContext } from '../graphql/graphql-context';

const THROTTLER_NAME = 'graphql';

/**
 * GRAPHQL_RATE_LIMIT: one sliding window per account (per address without one) over HTTP and
 * graphql-ws alike, in @nestjs/throttler's storage. Taken by each root resolver
 * (GraphqlThrottlerGuard), and once by an operation that runs none (resolverFreeOperationsPlugin).
 */
@Injectable()
export class GraphqlRateLimit {
  constructor(
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
    private readonly config: AppConfig,
  ) {}

  /** Counts one operation for the caller; throws TOO_MANY_REQUESTS (and sets Retry-After) past the limit. */
  async take({ req, res }: GraphqlContext): Promise<void> {
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
      return;
    }
    res?.setHeader('Retry-After', String(timeToBlockExpire));
    // The status of a refusal by the guard (an error in execution: 200). Thrown before execution (the
    // plugin, graphql-ws), an error without its status would be answered 500 by Apollo.
    throw new GraphQLError(
      `Too many requests: at most ${rateLimit} per ${rateWindowMs / 1000} s per account; retry in ${timeToBlockExpire} s`,
      { extensions: { code: ErrorCode.TOO_MANY_REQUESTS, http: { status: 200 } } },
    );
  }
}
