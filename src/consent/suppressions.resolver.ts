import { Args, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { AuthenticatedAccount } from '../common/auth/authenticated-account';
import { CurrentAccount } from '../common/auth/current-account.decorator';
import { RequireScope } from '../common/auth/require-scope.decorator';
import { Scope } from '../common/auth/scope.enum';
import { AddSuppressionsInput, ConsentSettingsInput } from './dto/add-suppressions.input';
import { ConsentRecordsArgs, SuppressionsArgs } from './dto/suppressions.args';
import { ConsentRecord, ConsentSettings } from './models/consent-record.model';
import {
  AddSuppressionsResult,
  ErasureResult,
  SuppressionConnection,
  SuppressionSource,
} from './models/suppression.model';
import { SuppressionsService } from './suppressions.service';

@Resolver(() => SuppressionConnection)
export class SuppressionsResolver {
  constructor(private readonly service: SuppressionsService) {}

  @Query(() => SuppressionConnection, { description: "The account's opt-out list, newest first" })
  @RequireScope(Scope.CAMPAIGNS_READ)
  async suppressions(
    @CurrentAccount() account: AuthenticatedAccount,
    @Args() args: SuppressionsArgs,
  ): Promise<SuppressionConnection> {
    const search = args.search?.replace(/^\+/, '') || undefined;
    const page = await this.service.page(account.accountId, args.first ?? 50, args.after, search);
    return {
      edges: page.rows.map(({ cursor, node }) => ({
        cursor,
        node: { ...node, source: node.source as SuppressionSource },
      })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.rows.at(-1)?.cursor ?? null },
      accountId: account.accountId,
      search,
    };
  }

  @ResolveField(() => Int, { description: 'Entries matching the search (counted only when asked for)' })
  totalCount(@Parent() connection: SuppressionConnection): Promise<number> {
    return this.service.count(connection.accountId, connection.search);
  }

  @Mutation(() => AddSuppressionsResult, {
    description: 'Suppresses numbers at once (waiting messages of running campaigns become SUPPRESSED)',
  })
  @RequireScope(Scope.SUPPRESSIONS_WRITE)
  addSuppressions(
    @CurrentAccount() account: AuthenticatedAccount,
    @Args('input') input: AddSuppressionsInput,
  ): Promise<AddSuppressionsResult> {
    return this.service.add(account.accountId, input);
  }

  @Mutation(() => Boolean, { description: 'Lifts a suppression; false when the number was not suppressed' })
  @RequireScope(Scope.SUPPRESSIONS_WRITE)
  removeSuppression(
    @CurrentAccount() account: AuthenticatedAccount,
    @Args('phone') phone: string,
    @Args('reason', { type: () => String, nullable: true }) reason?: string | null,
  ): Promise<boolean> {
    return this.service.remove(account.accountId, phone, reason);
  }

  @Mutation(() => ErasureResult, {
    description:
      "Removes the number's personal data from every campaign of the account (a keyed hash replaces it) and keeps it suppressed, hashed",
  })
  @RequireScope(Scope.SUPPRESSIONS_WRITE)
  eraseRecipient(
    @CurrentAccount() account: AuthenticatedAccount,
    @Args('phone') phone: string,
  ): Promise<ErasureResult> {
    return this.service.erase(account.accountId, phone);
  }

  @Query(() => [ConsentRecord], { description: 'Opt-out and opt-in evidence, newest first' })
  @RequireScope(Scope.CAMPAIGNS_READ)
  consentRecords(
    @CurrentAccount() account: AuthenticatedAccount,
    @Args() args: ConsentRecordsArgs,
  ): Promise<ConsentRecord[]> {
    return this.service.records(account.accountId, args.phone, args.first ?? 50, args.after);
  }

  @Query(() => ConsentSettings)
  @RequireScope(Scope.CAMPAIGNS_READ)
  consentSettings(@CurrentAccount() account: AuthenticatedAccount): Promise<ConsentSettings> {
    return this.service.settings(account.accountId);
  }

  @Mutation(() => ConsentSettings, { description: 'Sets keywords and replies; omitted fields keep their value' })
  @RequireScope(Scope.SUPPRESSIONS_WRITE)
  updateConsentSettings(
    @CurrentAccount() account: AuthenticatedAccount,
    @Args('input') input: ConsentSettingsInput,
  ): Promise<ConsentSettings> {
    return this.service.updateSettings(account.accountId, input);
  }
}
