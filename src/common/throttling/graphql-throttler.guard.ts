import { ExecutionContext, Injectable } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { ThrottlerGuard } from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import { API_KEY_HEADER } from '../auth/authenticated-account';
import type { GraphqlContext } from '../graphql/graphql-context';

/**
 * Rate limit for the GraphQL endpoint only, per API key (per IP without one).
 * Webhooks and health checks are not throttled here: Plivo must never be told to back off.
 */
@Injectable()
export class GraphqlThrottlerGuard extends ThrottlerGuard {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType<string>() !== 'graphql') {
      return true;
    }
    const { res } = GqlExecutionContext.create(context).getContext<GraphqlContext>();
    // Subscriptions over graphql-ws have no HTTP response to carry rate-limit headers.
    if (!res) {
      return true;
    }
    return super.canActivate(context);
  }

  override getRequestResponse(context: ExecutionContext) {
    const { req, res } = GqlExecutionContext.create(context).getContext<GraphqlContext>();
    return { req: req as unknown as Record<string, unknown>, res: res as unknown as Record<string, unknown> };
  }

  // Keyed by the API key's hash (guards run in no guaranteed order, so the account may not be
  // resolved yet); requests without a key are limited per IP.
  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const header = (req as { headers?: Record<string, unknown> }).headers?.[API_KEY_HEADER];
    return Promise.resolve(
      typeof header === 'string' && header
        ? `key:${createHash('sha256').update(header).digest('hex')}`
        : `ip:${typeof req.ip === 'string' ? req.ip : 'unknown'}`,
    );
  }
}
