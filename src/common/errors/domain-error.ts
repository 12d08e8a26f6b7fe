import { ErrorCode } from './error-code.enum';

/**
 * An error whose message is meant for the client. Anything else that escapes a resolver is
 * logged and replaced by a generic message with an error id.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Invalid input; the message starts with the field it is about, e.g. "maxCost: ...". */
export class UserInputError extends DomainError {
  constructor(
    readonly field: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(ErrorCode.BAD_USER_INPUT, message.startsWith(field) ? message : `${field}: ${message}`, {
      field,
      ...details,
    });
    this.name = 'UserInputError';
  }
}

/** The request contradicts what is already stored; the message starts with the field, like UserInputError. */
export class ConflictError extends DomainError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(ErrorCode.CONFLICT, `${field}: ${message}`, { field });
    this.name = 'ConflictError';
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string) {
    super(ErrorCode.NOT_FOUND, `${what} not found`);
    this.name = 'NotFoundError';
  }
}

export class NotImplementedError extends DomainError {
  constructor(feature: string) {
    super(ErrorCode.NOT_IMPLEMENTED, `${feature} is not implemented yet`);
    this.name = 'NotImplementedError';
  }
}
