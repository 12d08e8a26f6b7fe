import type { NextFunction, Request, Response } from 'express';
import { ErrorCode } from '../errors/error-code.enum';
import { isUtf8QueryString } from '../text/utf8';

/**
 * A query string whose %XX escapes are not UTF-8 is answered 400 before anything reads it: Express's
 * parser would turn those bytes into U+FFFD, and `POST /api/campaigns?text=a%FFb` sent "a\uFFFDb", in UCS-2.
 */
export function rejectQueryNotUtf8(req: Request, res: Response, next: NextFunction): void {
  const start = req.url.indexOf('?');
  if (start === -1 || isUtf8QueryString(req.url.slice(start + 1))) {
    next();
    return;
  }
  res.status(400).json({
    statusCode: 400,
    code: ErrorCode.BAD_USER_INPUT,
    message: 'query: percent-encoded bytes that are not UTF-8: encode the query string as UTF-8',
  });
}
