import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { AuthenticatedAccount } from './authenticated-account';
import { requestOf } from './request-of';

export const CurrentAccount = createParamDecorator((_: unknown, context: ExecutionContext): AuthenticatedAccount => {
  const request = requestOf(context.getType<string>() === 'graphql' ? GqlExecutionContext.create(context) : context);
  if (!request?.account) {
    throw new Error('CurrentAccount used on a route that is not authenticated');
  }
  return request.account;
});
