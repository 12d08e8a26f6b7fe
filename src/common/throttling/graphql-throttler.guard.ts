import { ExecutionContext, Injectable } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { GraphqlContext } from '../graphql/graphql-context';

/**
 * Rate limit for the GraphQL endpoint only, per account (per IP before authentication).
 * Webhooks and health checks are not throttled here: Plivo must never be told to back off.
 */
@Injectable()
export class GraphqlThrottlerGuard extends ThrottlerGuard {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType<string>() !== 'graphql') {
      return true;
    }
    const { req, res } = GqlExecutionContext.create(context).getContext<GraphqlContext>();
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

  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const account = (req as { account?: { accountId: string } }).account;
    return Promise.resolve(account ? `account:${account.accountId}` : `ip:${String(req.ip ?? 'unknown')}`);
  }
}
