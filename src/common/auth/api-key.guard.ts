import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Request, Response } from 'express';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../errors/error-code.enum';
import { clientAddress } from '../graphql/graphql-request-gate';
import { API_KEY_HEADER, AuthenticatedAccount } from './authenticated-account';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRED_SCOPE } from './require-scope.decorator';
import { RequestAuthenticator } from './request-authenticator';
import { requestOf } from './request-of';
import { Scope } from './scope.enum';

/**
 * Every route needs an authenticated account unless marked @Public(), and the scope it declares
 * with @RequireScope (a route that declares none is refused: fail closed). GraphQL requests
 * arrive authenticated already (GraphqlRequestGate on HTTP, GraphqlWsConnections on graphql-ws,
 * both before the document is read); anything else is checked here from `x-api-key`.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly authenticator: RequestAuthenticator,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) {
      return true;
    }
    const isGraphql = context.getType<string>() === 'graphql';
    const request = requestOf(isGraphql ? GqlExecutionContext.create(context) : context);
    if (request && !request.account) {
      const header = request.headers[API_KEY_HEADER];
      // The same decision as GraphQL's gate: an address past AUTH_RATE_LIMIT bad keys is refused before any lookup.
      const outcome = await this.authenticator.authenticate(
        Array.isArray(header) ? header[0] : header,
        clientAddress(request as Request),
      );
      if (outcome.kind === 'throttled') {
        const message = `Too many requests without a valid API key from this address; retry in ${outcome.retryAfterSeconds} s`;
        if (isGraphql) {
          throw new GraphQLError(message, { extensions: { code: ErrorCode.TOO_MANY_REQUESTS } });
        }
        context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(outcome.retryAfterSeconds));
        throw new HttpException(message, HttpStatus.TOO_MANY_REQUESTS);
      }
      if (outcome.kind === 'refused') {
        throw isGraphql
          ? new GraphQLError(outcome.message, { extensions: { code: ErrorCode.UNAUTHENTICATED } })
          : new UnauthorizedException(outcome.message);
      }
      request.account = outcome.account;
    }
    if (!request?.account) {
      throw new UnauthorizedException('Missing API key');
    }
    const required = this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, [
      context.getHandler(),
      context.getClass(),
    ]);
    assertScope(request.account, required, isGraphql);
    return true;
  }
}

function assertScope(account: AuthenticatedAccount, required: Scope | undefined, isGraphql: boolean): void {
  if (required && account.scopes.includes(required)) {
    return;
  }
  const message = required
    ? `Forbidden: this API key lacks the ${required} scope`
    : 'Forbidden: this operation declares no scope (a server bug: every operation must declare one)';
  if (isGraphql) {
    throw new GraphQLError(message, {
      extensions: { code: 'FORBIDDEN', ...(required && { requiredScope: required }) },
    });
  }
  throw new ForbiddenException(message);
}
