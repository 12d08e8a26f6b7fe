import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { AuthenticatedAccount } from '../common/auth/authenticated-account';
import { CurrentAccount } from '../common/auth/current-account.decorator';
import { RequireScope } from '../common/auth/require-scope.decorator';
import { Scope } from '../common/auth/scope.enum';
import { Clock } from '../common/time/clock';
import { RecipientListRepository } from '../persistence/recipient-list.repository';
import { RecipientList } from './models/recipient-list.model';
import { toRecipientListSummary } from './recipient-list.summary';

@Resolver(() => RecipientList)
export class RecipientListsResolver {
  constructor(
    private readonly lists: RecipientListRepository,
    private readonly clock: Clock,
  ) {}

  @RequireScope(Scope.CAMPAIGNS_READ)
  @Query(() => RecipientList, { nullable: true, description: "one of the account's uploaded lists, until it expires" })
  async recipientList(
    @CurrentAccount() account: AuthenticatedAccount,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<RecipientList | null> {
    const list = await this.lists.findReady(account.accountId, id, this.clock.now());
    return list ? toRecipientListSummary(list) : null;
  }
}
