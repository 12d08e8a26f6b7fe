import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { GraphQLError } from 'graphql';
import { randomUUID } from 'node:crypto';
import { InvalidCursorError } from '../../persistence/keyset-cursor';
import { isUniqueViolation } from './unique-violation';
import { dataExceptionCode } from './data-exception';
import {
  DATABASE_UNAVAILABLE_MESSAGE,
  isDatabaseUnavailable,
  RETRY_UNAVAILABLE_AFTER_SECONDS,
} from './database-unavailable';
import { DomainError, UserInputError } from './domain-error';
import { ErrorCode, HTTP_STATUS_BY_CODE } from './error-code.enum';

const CODE_BY_HTTP_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.BAD_USER_INPUT,
  401: ErrorCode.UNAUTHENTICATED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  408: ErrorCode.BAD_USER_INPUT,
  409: ErrorCode.CONFLICT,
  413: ErrorCode.BAD_USER_INPUT,
  429: ErrorCode.TOO_MANY_REQUESTS,
  503: ErrorCode.SERVICE_UNAVAILABLE,
};

/**
 * Maps every error to what the client may see, in one place: domain errors keep their message and
 * code; anything unexpected is logged with an error id and the client gets only that id.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): unknown {
    const error = this.toClientError(exception);
    if (host.getType<string>() === 'graphql') {
      return exception instanceof GraphQLError
        ? exception
        : new GraphQLError(error.message, { extensions: { code: error.code, ...error.details } });
    }
    const response = host.switchToHttp().getResponse<Response>();
    if (!response.headersSent) {
      if (error.status === 503) {
        response.setHeader('Retry-After', String(RETRY_UNAVAILABLE_AFTER_SECONDS));
      }
      response
        .status(error.status)
        .json({ statusCode: error.status, code: error.code, message: error.message, ...error.details });
    }
    return undefined;
  }

  private toClientError(exception: unknown): {
    code: ErrorCode;
    status: number;
    message: string;
    details: Record<string, unknown>;
  } {
    if (exception instanceof InvalidCursorError) {
      return this.toClientError(new UserInputError('after', exception.message));
    }
    if (exception instanceof DomainError) {
      return {
        code: exception.code,
        status: HTTP_STATUS_BY_CODE[exception.code],
        message: exception.message,
        details: exception.details,
      };
    }
    if (exception instanceof GraphQLError) {
      const code = (exception.extensions.code as ErrorCode | undefined) ?? ErrorCode.INTERNAL_SERVER_ERROR;
      return { code, status: HTTP_STATUS_BY_CODE[code] ?? 500, message: exception.message, details: {} };
    }
    // 503 too: /ready's "database is not answering" is the client's to hear, and to retry.
    if (exception instanceof HttpException && (exception.getStatus() < 500 || exception.getStatus() === 503)) {
      const status = exception.getStatus();
      return {
        code: CODE_BY_HTTP_STATUS[status] ?? ErrorCode.BAD_USER_INPUT,
        status,
        message: exception.message,
        details: {},
      };
    }
    const dataException = dataExceptionCode(exception);
    if (dataException) {
      // Inputs are validated before they are stored; reaching this means a check is missing, so it is
      // logged, but the client still gets a 400 rather than a 500 for a value PostgreSQL refused.
      this.logger.warn({ err: exception, sqlstate: dataException }, 'A value from the request could not be stored');
      return this.toClientError(
        new UserInputError(
          'input',
          `a value could not be stored (PostgreSQL ${dataException}): text must not hold NUL bytes, numbers and dates must be in range`,
        ),
      );
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn({ err: exception }, 'The database is not answering');
      return { code: ErrorCode.SERVICE_UNAVAILABLE, status: 503, message: DATABASE_UNAVAILABLE_MESSAGE, details: {} };
    }
    if (isUniqueViolation(exception)) {
      return { code: ErrorCode.CONFLICT, status: 409, message: 'The resource already exists', details: {} };
    }
    const errorId = randomUUID();
    this.logger.error({ err: exception, errorId }, 'Unhandled error');
    return {
      code: ErrorCode.INTERNAL_SERVER_ERROR,
      status: 500,
      message: `Internal server error (error id ${errorId})`,
      details: { errorId },
    };
  }
}
