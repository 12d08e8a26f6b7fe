import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { ApiKeyService } from './api-key.service';
import { API_KEY_HEADER, AuthenticatedAccount } from './authenticated-account';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRED_SCOPE } from './require-scope.decorator';
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
    private readonly apiKeys: ApiKeyService,
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
      const account = await this.apiKeys.authenticate(Array.isArray(header) ? header[0] : header);
      if (!account) {
        const message = header ? 'Invalid API key' : `Missing API key: send it in the ${API_KEY_HEADER} header`;
        throw isGraphql
          ? new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED' } })
          : new UnauthorizedException(message);
      }
      request.account = account;
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
