import type { Request, Response } from 'express';
import type { AuthRequest } from '../auth/request-of';
import type { AuthenticatedAccount } from '../auth/authenticated-account';

export interface GraphqlContext {
  req: AuthRequest & Partial<Request>;
  res?: Response;
}

interface WsContextInput {
  extra?: { account?: AuthenticatedAccount; request?: { socket?: { remoteAddress?: string } } };
}

/**
 * One context for HTTP and graphql-ws. Both arrive authenticated: on HTTP GraphqlRequestGate put
 * the account on the request; on graphql-ws GraphqlWsConnections put it on the connection when
 * it opened, and every operation of the connection carries it.
 */
export function buildGraphqlContext(input: { req?: Request; res?: Response } & WsContextInput): GraphqlContext {
  if (input.req) {
    return { req: input.req as AuthRequest & Request, res: input.res };
  }
  return {
    req: { headers: {}, account: input.extra?.account, ip: input.extra?.request?.socket?.remoteAddress },
  };
}
