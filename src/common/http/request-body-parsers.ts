import bodyParser from 'body-parser';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { IncomingMessage } from 'node:http';
import type { AuthRequest } from '../auth/request-of';
import { parseByteSize } from '../../delivery-reports/webhook-body';
import { ErrorCode } from '../errors/error-code.enum';
import { BulkRequestSlots, MAX_WAITING_BULK_REQUESTS } from './bulk-request-slots';

/** What the parsers leave on a request: the body's size, and its bytes when small (webhook signatures). */
export interface ParsedBodyRequest {
  bodyBytes?: number;
  rawBody?: Buffer;
}

export interface BodyLimits {
  /** Every request, authenticated or not: e.g. "1mb". */
  bodyLimit: string;
  /** An authenticated POST (GraphqlRequestGate set its account): e.g. "32mb". */
  bulkBodyLimit: string;
}

/**
 * JSON and form bodies with a small limit for everyone, and a large JSON limit only for requests
 * that were authenticated before their body was read. The limit is checked against the declared
 * Content-Length before reading, and against the bytes read for chunked bodies. An authenticated
 * body that may be over the small limit is read only once it has one of the `slots`.
 */
export function requestBodyParsers(limits: BodyLimits, slots: BulkRequestSlots): RequestHandler {
  const smallLimitBytes = parseByteSize(limits.bodyLimit);
  const keepSize = (req: IncomingMessage, _res: unknown, buffer: Buffer) => {
    (req as IncomingMessage & ParsedBodyRequest).bodyBytes = buffer.length;
  };
  const keepRawBody = (req: IncomingMessage, res: unknown, buffer: Buffer) => {
    keepSize(req, res, buffer);
    (req as IncomingMessage & ParsedBodyRequest).rawBody = buffer;
  };
  const small = [
    bodyParser.json({ limit: limits.bodyLimit, verify: keepRawBody }),
    bodyParser.urlencoded({ limit: limits.bodyLimit, extended: false, verify: keepRawBody }),
  ];
  const large = [bodyParser.json({ limit: limits.bulkBodyLimit, verify: keepSize })];

  return (req: Request, res: Response, next: NextFunction) => {
    const authenticated = (req as Request & AuthRequest).account !== undefined && req.method === 'POST';
    const parsers = authenticated ? large : small;
    const limit = authenticated ? limits.bulkBodyLimit : limits.bodyLimit;
    const run = (index: number) => (error?: unknown) => {
      if (error) {
        answerBodyError(res, error, limit, next);
      } else if (index < parsers.length) {
        parsers[index](req, res, run(index + 1));
      } else {
        next();
      }
    };
    // Chunked uploads declare no length: they may be large.
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (!authenticated || declared <= smallLimitBytes) {
      run(0)();
    } else if (!slots.enter(res, run(0))) {
      res.setHeader('Retry-After', '5');
      res.status(429).json({
        statusCode: 429,
        code: ErrorCode.TOO_MANY_REQUESTS,
        message: `Too many large requests in progress (at most ${MAX_WAITING_BULK_REQUESTS} wait); retry in 5 s`,
      });
    }
  };
}

function answerBodyError(res: Response, error: unknown, limit: string, next: NextFunction): void {
  const type = (error as { type?: unknown }).type;
  if (type === 'entity.too.large') {
    // The rest of the upload is not read: close the connection after the answer.
    res.setHeader('Connection', 'close');
    res.status(413).json({ statusCode: 413, code: ErrorCode.BAD_USER_INPUT, message: `body: larger than ${limit}` });
  } else if (type === 'entity.parse.failed' || type === 'encoding.unsupported' || type === 'charset.unsupported') {
    res
      .status(400)
      .json({ statusCode: 400, code: ErrorCode.BAD_USER_INPUT, message: `body: ${(error as Error).message}` });
  } else {
    next(error);
  }
}
