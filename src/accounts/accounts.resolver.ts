import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequireScope } from '../common/auth/require-scope.decorator';
import { Scope } from '../common/auth/scope.enum';
import { AuditedAccount } from '../audit/audited-account.decorator';
import { AccountsService } from './accounts.service';
import { AccountsArgs } from './dto/accounts.args';
import { CreateAccountArgs } from './dto/create-account.args';
import { CreateApiKeyArgs } from './dto/create-api-key.args';
import { Account, AccountConnection } from './models/account.model';
import { ApiKey, CreatedApiKey } from './models/api-key.model';

@Resolver(() => Account)
export class AccountsResolver {
  constructor(private readonly service: AccountsService) {}

  @RequireScope(Scope.ADMIN)
  @Query(() => AccountConnection, { name: 'accounts', description: 'Every account, oldest first (admin).' })
  async accountsPage(@Args() args: AccountsArgs): Promise<AccountConnection> {
    const page = await this.service.listAccounts(args.first ?? 50, args.after);
    return {
      edges: page.items,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.items.at(-1)?.cursor ?? null },
    };
  }

  @RequireScope(Scope.ADMIN)
  @AuditedAccount((_args, result) => (result as Account | undefined)?.id)
  @Mutation(() => Account, { description: 'A new account, without keys: give it one with createApiKey (admin).' })
  createAccount(@Args() args: CreateAccountArgs): Promise<Account> {
    return this.service.createAccount(args.name);
  }

  @RequireScope(Scope.ADMIN)
  @Query(() => [ApiKey], { description: "The account's keys, revoked and expired ones included (admin)." })
  apiKeys(@Args('accountId', { type: () => ID }) accountId: string): Promise<ApiKey[]> {
    return this.service.listApiKeys(accountId);
  }

  @RequireScope(Scope.ADMIN)
  @Mutation(() => CreatedApiKey, { description: 'A new key for the account; its material is shown once (admin).' })
  createApiKey(@Args() args: CreateApiKeyArgs): Promise<CreatedApiKey> {
    return this.service.createApiKey(args);
  }

  @RequireScope(Scope.ADMIN)
  @AuditedAccount((_args, result) => (result as ApiKey | undefined)?.accountId)
  @Mutation(() => ApiKey, {
    description: 'Revokes the key at once: its requests are refused and its subscriptions closed (admin).',
  })
  revokeApiKey(@Args('id', { type: () => ID }) id: string): Promise<ApiKey> {
    return this.service.revokeApiKey(id);
  }
}
