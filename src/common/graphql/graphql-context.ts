import type { Request, Response } from 'express';
import type { AuthRequest } from '../auth/request-of';
import { API_KEY_HEADER } from '../auth/authenticated-account';

export interface GraphqlContext {
  req: AuthRequest & Partial<Request>;
  res?: Response;
}

interface WsContextInput {
  connectionParams?: Record<string, unknown>;
  extra?: { request?: { headers?: Record<string, string | string[] | undefined> } };
}

/**
 * One context for HTTP and graphql-ws: on a WebSocket the API key comes from connectionParams,
 * and is put where the HTTP header would be, so the same guard serves both transports.
 */
export function buildGraphqlContext(input: { req?: Request; res?: Response } & WsContextInput): GraphqlContext {
  if (input.req) {
    return { req: input.req as AuthRequest & Request, res: input.res };
  }
  const key = input.connectionParams?.[API_KEY_HEADER];
  return { req: { headers: { [API_KEY_HEADER]: typeof key === 'string' ? key : undefined } } };
}
