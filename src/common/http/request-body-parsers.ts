import bodyParser from 'body-parser';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { WorkerSource } from '../async/idle-worker-pool';
import { isSplittableJson, parseBulkJsonBody } from './bulk-json-body';
import type { PackedRecipients } from './bulk-json-body-split';
import type { MetricsService } from '../metrics/metrics.service';
import type { AuthRequest } from '../auth/request-of';
import { parseByteSize } from '../../delivery-reports/webhook-body';
import { ErrorCode } from '../errors/error-code.enum';
import { BulkRequestSlots, MAX_WAITING_BULK_REQUESTS } from './bulk-request-slots';

/**
 * What the parsers leave on a request: the body's size, its bytes when small (webhook signatures), and
 * a large body's `variables.input.recipients` packed by the worker that parsed it (the body holds `[]`
 * in their place until BulkRecipientsMiddleware decides where they go).
 */
export interface ParsedBodyRequest {
  bodyBytes?: number;
  rawBody?: Buffer;
  packedRecipients?: PackedRecipients;
}

/** How a large JSON body is parsed off the event loop (parseBulkJsonBody). */
export interface BulkJsonParsing {
  /** Past this many recipients the list is left to the input's own validation, which refuses it. */
  maxRecipients: number;
  metrics: MetricsService;
  /** Default: bulkJsonWorkers, kept warm between bodies. */
  workers?: WorkerSource;
}

/**
 * body-parser decodes UTF-8 leniently: a body in Latin-1 ("Gr\xfc\xdfe") became "Gr\uFFFD\uFFFDe", was stored and
 * sent, and counted as UCS-2. Thrown from `verify`, this is answered 400 naming the body.
 */
function assertUtf8(buffer: Buffer, encoding: string): void {
  if (encoding.toLowerCase() === 'utf-8' && !isUtf8(buffer)) {
    throw Object.assign(new Error('not valid UTF-8: send the body encoded as UTF-8'), { status: 400 });
  }
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
 * body that may be over the small limit is read only once it has one of the `slots`. The POST bodies of
 * `streamedPaths` (uploads) are left unread for their controllers, whatever their Content-Type: parsed
 * here, a CSV sent as a form (curl's default) or as JSON with `?format=csv` was gone before its
 * controller read it.
 */
export function requestBodyParsers(
  limits: BodyLimits,
  slots: BulkRequestSlots,
  bulkJson: BulkJsonParsing,
  streamedPaths: readonly string[] = [],
): RequestHandler {
  const streamed = new Set(streamedPaths.map(normalizedPath));
  const smallLimitBytes = parseByteSize(limits.bodyLimit);
  const bulkLimitBytes = parseByteSize(limits.bulkBodyLimit);
  const keepSize = (req: IncomingMessage, _res: unknown, buffer: Buffer, encoding: string) => {
    assertUtf8(buffer, encoding);
    (req as IncomingMessage & ParsedBodyRequest).bodyBytes = buffer.length;
  };
  const keepRawBody = (req: IncomingMessage, res: unknown, buffer: Buffer, encoding: string) => {
    keepSize(req, res, buffer, encoding);
    (req as IncomingMessage & ParsedBodyRequest).rawBody = buffer;
  };
  const small = [
    bodyParser.json({ limit: limits.bodyLimit, verify: keepRawBody }),
    bodyParser.urlencoded({ limit: limits.bodyLimit, extended: false, verify: keepRawBody }),
  ];
  const large = [bodyParser.json({ limit: limits.bulkBodyLimit, verify: keepSize })];

  /** A large JSON body parsed on a worker thread; one that is not a recipient list is parsed here after all. */
  const parseOffThread = (req: Request, res: Response, next: NextFunction) => () => {
    parseBulkJsonBody(req, bulkLimitBytes, bulkJson.maxRecipients, bulkJson.workers).then(
      (result) => {
        if (result.kind === 'split') {
          req.body = result.body;
          Object.assign(req as Request & ParsedBodyRequest, {
            bodyBytes: result.byteLength,
            packedRecipients: result.recipients,
          });
          next();
          return;
        }
        // The same bytes through body-parser, so that a body that is not a recipient list (or not JSON)
        // gets exactly the answer it always got.
        bulkJson.metrics.largeJsonBodies.inc({ parsed: 'event_loop' });
        const { 'transfer-encoding': _chunked, ...headers } = req.headers;
        const bytes = Buffer.from(result.bytes.buffer, result.bytes.byteOffset, result.bytes.byteLength);
        const replayed = Object.assign(Readable.from([bytes]), {
          headers: { ...headers, 'content-length': String(bytes.length) },
          method: req.method,
          url: req.url,
        }) as unknown as Request & ParsedBodyRequest;
        large[0](replayed, res, (error?: unknown) => {
          if (error) {
            answerBodyError(res, error, limits.bulkBodyLimit, next);
            return;
          }
          req.body = replayed.body as unknown;
          (req as Request & ParsedBodyRequest).bodyBytes = replayed.bodyBytes;
          next();
        });
      },
      (error: unknown) => answerBodyError(res, error, limits.bulkBodyLimit, next),
    );
  };

  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'POST' && streamed.has(normalizedPath(req.path))) {
      next();
      return;
    }
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
    } else if (!slots.enter(res, isSplittableJson(req) ? parseOffThread(req, res, next) : run(0))) {
      res.setHeader('Retry-After', '5');
      res.status(429).json({
        statusCode: 429,
        code: ErrorCode.TOO_MANY_REQUESTS,
        message: `Too many large requests in progress (at most ${MAX_WAITING_BULK_REQUESTS} wait); retry in 5 s`,
      });
    }
  };
}

/** As Express routes it: case-insensitive, a trailing slash ignored. */
function normalizedPath(path: string): string {
  return `/${path.toLowerCase().replace(/^\/+|\/+$/g, '')}`;
}

/**
 * Every failure to read or parse a body is the body's: 413 past the limit, else the status body-parser
 * gives (400 for bad JSON or a corrupt gzip/deflate stream, 415 for an unknown encoding), else 400. Passed
 * on to Express, such errors used to end as a misleading 404 "Cannot POST /graphql".
 */
function answerBodyError(res: Response, error: unknown, limit: string, next: NextFunction): void {
  if (res.headersSent) {
    next(error);
    return;
  }
  const { type, status } = error as { type?: unknown; status?: unknown };
  if (type === 'entity.too.large') {
    // The rest of the upload is not read: close the connection after the answer.
    res.setHeader('Connection', 'close');
    res.status(413).json({ statusCode: 413, code: ErrorCode.BAD_USER_INPUT, message: `body: larger than ${limit}` });
    return;
  }
  const statusCode = typeof status === 'number' && status >= 400 && status < 500 ? status : 400;
  const message =
    error instanceof RangeError && /call stack/i.test(error.message)
      ? 'body: nested too deeply to read'
      : `body: ${error instanceof Error ? error.message : 'could not be read'}`;
  if (type !== 'entity.parse.failed') {
    // A stream that failed midway (a corrupt gzip) may have bytes left unread.
    res.setHeader('Connection', 'close');
  }
  res.status(statusCode).json({ statusCode, code: ErrorCode.BAD_USER_INPUT, message });
}
