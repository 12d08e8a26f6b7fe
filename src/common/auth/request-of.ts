import { ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { AuthenticatedAccount } from './authenticated-account';

/** The part of a request the auth layer reads and writes, over HTTP and graphql-ws alike. */
export interface AuthRequest {
  headers: Record<string, string | string[] | undefined>;
  account?: AuthenticatedAccount;
}

export function requestOf(context: ExecutionContext | GqlExecutionContext): AuthRequest | undefined {
  if (context instanceof GqlExecutionContext) {
    return context.getContext<{ req?: AuthRequest }>().req;
  }
  return context.switchToHttp().getRequest<AuthRequest>();
}
