import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Request } from 'express';
import { GraphQLError, GraphQLResolveInfo } from 'graphql';
import { catchError, concatMap, from, Observable, throwError } from 'rxjs';
import type { AuthRequest } from '../common/auth/request-of';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-code.enum';
import { AuditLogService, AuditRecord } from './audit-log.service';
import { AUDITED_ACCOUNT, AuditedAccountOf } from './audited-account.decorator';

const READ_ONLY_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

type PendingRecord = Omit<AuditRecord, 'outcome'> & { args: Record<string, unknown> };

/**
 * Writes one audit entry per state-changing call by an API key: every GraphQL mutation and every
 * authenticated REST call that is not a read, whether it succeeded or not (the outcome is the
 * error code). The entry is written before the answer leaves, so an acknowledged call is always
 * in the log. Unauthenticated calls (Plivo's signed webhooks) are not the API's callers and are
 * not logged here.
 */
@Injectable()
export class AuditLogInterceptor implements NestInterceptor {
  private readonly logger = new Logger(AuditLogInterceptor.name);

  constructor(
    private readonly audit: AuditLogService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const pending = this.describe(context);
    if (!pending) {
      return next.handle();
    }
    const accountOf = this.reflector.get<AuditedAccountOf | undefined>(AUDITED_ACCOUNT, context.getHandler());
    return next.handle().pipe(
      concatMap((result: unknown) =>
        from(this.write(pending, 'ok', accountOf?.(pending.args, result), resultId(result)).then(() => result)),
      ),
      catchError((error: unknown) =>
        from(this.write(pending, outcomeOf(error), undefined, undefined)).pipe(
          concatMap(() => throwError(() => error)),
        ),
      ),
    );
  }

  private describe(context: ExecutionContext): PendingRecord | undefined {
    if (context.getType<string>() === 'graphql') {
      const gql = GqlExecutionContext.create(context);
      const info = gql.getInfo<GraphQLResolveInfo>();
      const request = gql.getContext<{ req?: AuthRequest & { ip?: string } }>().req;
      if (info.parentType.name !== 'Mutation' || !request?.account) {
        return undefined;
      }
      const args = gql.getArgs<Record<string, unknown>>();
      return pendingRecord(request, info.fieldName, args, request.ip);
    }
    if (context.getType() !== 'http') {
      return undefined;
    }
    const request = context.switchToHttp().getRequest<Request & AuthRequest>();
    if (READ_ONLY_METHODS.has(request.method) || !request.account) {
      return undefined;
    }
    const route = (request.route as { path?: string } | undefined)?.path ?? request.path;
    const args = { ...(request.params ?? {}), body: request.body as unknown };
    return pendingRecord(request, `${request.method} ${route}`, args, request.ip);
  }

  /** A failed audit write is logged, not thrown: the call itself has taken effect already. */
  private async write(
    pending: PendingRecord,
    outcome: string,
    auditedAccount: string | undefined,
    result: string | undefined,
  ): Promise<void> {
    const { args, ...record } = pending;
    try {
      await this.audit.record({
        ...record,
        accountId: auditedAccount ?? record.accountId,
        outcome,
        details: { args, ...(result && { resultId: result }) },
      });
    } catch (error) {
      this.logger.error({ err: error, action: record.action }, 'Could not write an audit entry');
    }
  }
}

function pendingRecord(
  request: AuthRequest,
  action: string,
  args: Record<string, unknown>,
  clientAddress: string | undefined,
): PendingRecord {
  const account = request.account!;
  const target = typeof args.accountId === 'string' ? args.accountId : account.accountId;
  return {
    accountId: target,
    apiKeyId: account.apiKeyId,
    action,
    details: {},
    clientAddress: clientAddress ?? null,
    args,
  };
}

function resultId(result: unknown): string | undefined {
  if (result && typeof result === 'object') {
    const { id, apiKey } = result as { id?: unknown; apiKey?: { id?: unknown } };
    const value = id ?? apiKey?.id;
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

function outcomeOf(error: unknown): string {
  if (error instanceof DomainError) {
    return error.code;
  }
  if (error instanceof GraphQLError && typeof error.extensions.code === 'string') {
    return error.extensions.code;
  }
  return ErrorCode.INTERNAL_SERVER_ERROR;
}
