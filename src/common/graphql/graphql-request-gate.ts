import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { API_KEY_HEADER } from '../auth/authenticated-account';
import { AuthOutcome, RequestAuthenticator } from '../auth/request-authenticator';
import type { AuthRequest } from '../auth/request-of';
import {
  DATABASE_UNAVAILABLE_MESSAGE,
  isDatabaseUnavailable,
  RETRY_UNAVAILABLE_AFTER_SECONDS,
} from '../errors/database-unavailable';
import { ErrorCode } from '../errors/error-code.enum';

export const GRAPHQL_PATH = '/graphql';

/**
 * Express middleware in front of the body parsers: a GraphQL request is authenticated from its
 * `x-api-key` header before its body is read. Without a valid key the caller gets the
 * authentication error and nothing else (no parsing, validation, suggestions or introspection),
 * and its body is discarded unread. An authenticated request carries its account onward, which
 * is what lets the body parsers allow it a larger body.
 */
@Injectable()
export class GraphqlRequestGate {
  constructor(private readonly authenticator: RequestAuthenticator) {}

  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    // Already authenticated: by the console's session cookie (ConsoleSessionMiddleware).
    if (!isGraphqlPath(req.path) || (req as Request & AuthRequest).account) {
      next();
      return;
    }
    const header = req.headers[API_KEY_HEADER];
    this.authenticator.authenticate(Array.isArray(header) ? header[0] : header, clientAddress(req)).then(
      (outcome) => {
        if (outcome.kind === 'authenticated') {
          (req as Request & AuthRequest).account = outcome.account;
          next();
        } else {
          refuse(res, outcome);
        }
      },
      (error: unknown) => answerAuthenticationFailure(res, error),
    );
  };
}

const logger = new Logger('Authentication');

/**
 * The key or session could not be checked at all (the database is not answering): 503 in the shape of the
 * gate's other answers. Passed on to Express, it ended as 404 "Cannot POST /graphql".
 */
export function answerAuthenticationFailure(res: Response, error: unknown): void {
  if (res.headersSent) {
    return;
  }
  if (isDatabaseUnavailable(error)) {
    logger.warn({ err: error }, 'Could not authenticate a request: the database is not answering');
    res.setHeader('Retry-After', String(RETRY_UNAVAILABLE_AFTER_SECONDS));
    res.status(503).json({
      errors: [{ message: DATABASE_UNAVAILABLE_MESSAGE, extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } }],
      data: null,
    });
    return;
  }
  const errorId = randomUUID();
  logger.error({ err: error, errorId }, 'Could not authenticate a request');
  res.status(500).json({
    errors: [
      {
        message: `Internal server error (error id ${errorId})`,
        extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, errorId },
      },
    ],
    data: null,
  });
}

/**
 * Apollo is mounted with app.use(GRAPHQL_PATH): Express matches it case-insensitively and for
 * every path below it (/GraphQL, /graphql/, /graphql/anything), so the gate does too.
 */
function isGraphqlPath(path: string): boolean {
  const lower = path.toLowerCase();
  return lower === GRAPHQL_PATH || lower.startsWith(`${GRAPHQL_PATH}/`);
}

export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

function refuse(res: Response, outcome: Exclude<AuthOutcome, { kind: 'authenticated' }>): void {
  const throttled = outcome.kind === 'throttled';
  if (throttled) {
    res.setHeader('Retry-After', String(outcome.retryAfterSeconds));
  }
  const message = throttled
    ? `Too many requests without a valid API key from this address; retry in ${outcome.retryAfterSeconds} s`
    : outcome.message;
  const code = throttled ? ErrorCode.TOO_MANY_REQUESTS : ErrorCode.UNAUTHENTICATED;
  // Node discards the unread body once the answer is sent; the connection stays usable.
  res.status(throttled ? 429 : 401).json({ errors: [{ message, extensions: { code } }], data: null });
}
