import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { ApiKeyService } from './api-key.service';
import { API_KEY_HEADER } from './authenticated-account';
import { IS_PUBLIC } from './public.decorator';
import { requestOf } from './request-of';

/**
 * Every route needs an authenticated account unless marked @Public(). GraphQL requests arrive
 * authenticated already (GraphqlRequestGate on HTTP, GraphqlWsConnections on graphql-ws, both
 * before the document is read); anything else is checked here from `x-api-key`.
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
    if (request?.account) {
      return true;
    }
    const header = request?.headers[API_KEY_HEADER];
    const account = await this.apiKeys.authenticate(Array.isArray(header) ? header[0] : header);
    if (!request || !account) {
      const message = header ? 'Invalid API key' : `Missing API key: send it in the ${API_KEY_HEADER} header`;
      throw isGraphql
        ? new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED' } })
        : new UnauthorizedException(message);
    }
    request.account = account;
    return true;
  }
}
