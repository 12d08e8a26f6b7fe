import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequireScope } from '../common/auth/require-scope.decorator';
import { Scope } from '../common/auth/scope.enum';
import { AccountSettingsService } from './account-settings.service';
import { UpdateAccountSettingsInput } from './dto/update-account-settings.input';
import { AccountSettings } from './models/account-settings.model';

@Resolver(() => AccountSettings)
export class AccountSettingsResolver {
  constructor(private readonly settings: AccountSettingsService) {}

  @RequireScope(Scope.ADMIN)
  @Query(() => AccountSettings, { description: "An account's settings (admin); secrets are never shown." })
  accountSettings(@Args('accountId', { type: () => ID }) accountId: string): Promise<AccountSettings> {
    return this.settings.get(accountId);
  }

  @RequireScope(Scope.ADMIN)
  @Mutation(() => AccountSettings, { description: 'Changes the fields given; null clears one (admin).' })
  updateAccountSettings(
    @Args('accountId', { type: () => ID }) accountId: string,
    @Args('input') input: UpdateAccountSettingsInput,
  ): Promise<AccountSettings> {
    return this.settings.update(accountId, input);
  }
}
