import { Args, Query, Resolver } from '@nestjs/graphql';
import { RequireScope } from '../common/auth/require-scope.decorator';
import { Scope } from '../common/auth/scope.enum';
import { AuditLogService } from './audit-log.service';
import { AuditLogArgs } from './dto/audit-log.args';
import { AuditEntry, AuditEntryConnection } from './models/audit-entry.model';

@Resolver(() => AuditEntry)
export class AuditLogResolver {
  constructor(private readonly audit: AuditLogService) {}

  @RequireScope(Scope.ADMIN)
  @Query(() => AuditEntryConnection, { description: 'The audit log, newest first (admin).' })
  async auditLog(@Args() args: AuditLogArgs): Promise<AuditEntryConnection> {
    const page = await this.audit.list(
      { accountId: args.accountId ?? undefined },
      args.first ?? 50,
      args.after ?? undefined,
    );
    return {
      edges: page.items.map(({ cursor, node }) => ({
        cursor,
        node: { ...node, details: JSON.stringify(node.details) },
      })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.items.at(-1)?.cursor ?? null },
    };
  }
}
