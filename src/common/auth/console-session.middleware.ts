import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ErrorCode } from '../errors/error-code.enum';
import { answerAuthenticationFailure, clientAddress } from '../graphql/graphql-request-gate';
import { API_KEY_HEADER } from './authenticated-account';
import { CONSOLE_REQUEST_HEADER, isConsoleRequest, readSessionToken } from './console-session-cookie';
import { RequestAuthenticator } from './request-authenticator';
import type { AuthRequest } from './request-of';

/** Where a session cookie stands in for `x-api-key`: GraphQL and the REST API, but not sign-in itself or webhooks. */
function acceptsSession(path: string): boolean {
  const lower = path.toLowerCase();
  if (lower === '/graphql' || lower.startsWith('/graphql/')) {
    return true;
  }
  return lower.startsWith('/api/') && lower !== '/api/session' && !lower.startsWith('/api/webhooks/');
}

/**
 * Express middleware in front of GraphqlRequestGate and the body parsers: a request without
 * `x-api-key` that carries the console's session cookie is authenticated from it (after the
 * CSRF rule: same origin, and the console header on anything that is not a read), and carries
 * its account onward like a key-authenticated request. Requests with `x-api-key` are untouched.
 */
@Injectable()
export class ConsoleSessionMiddleware {
  constructor(private readonly authenticator: RequestAuthenticator) {}

  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const token = req.headers[API_KEY_HEADER] === undefined ? readSessionToken(req.headers) : undefined;
    if (!token || !acceptsSession(req.path)) {
      next();
      return;
    }
    if (!isConsoleRequest(req.method, req.headers)) {
      refuse(
        res,
        403,
        ErrorCode.FORBIDDEN,
        `A request authenticated by the console cookie must come from the console (same origin, ${CONSOLE_REQUEST_HEADER} header)`,
      );
      return;
    }
    this.authenticator.authenticateSession(token, clientAddress(req)).then(
      (outcome) => {
        switch (outcome.kind) {
          case 'authenticated':
            (req as Request & AuthRequest).account = outcome.account;
            next();
            return;
          case 'throttled':
            res.setHeader('Retry-After', String(outcome.retryAfterSeconds));
            refuse(
              res,
              429,
              ErrorCode.TOO_MANY_REQUESTS,
              `Too many failed sign-ins from this address; retry in ${outcome.retryAfterSeconds} s`,
            );
            return;
          case 'refused':
            refuse(res, 401, ErrorCode.UNAUTHENTICATED, outcome.message);
            return;
        }
      },
      (error: unknown) => answerAuthenticationFailure(res, error),
    );
  };
}

function refuse(res: Response, status: number, code: ErrorCode, message: string): void {
  // The same shape as GraphqlRequestGate's answers, which GraphQL clients and the console both read.
  res.status(status).json({ errors: [{ message, extensions: { code } }], data: null });
}
