import { Module } from '@nestjs/common';
import { GraphqlTransportModule } from '../common/graphql/graphql-transport.module';
import { AccountSettingsResolver } from './account-settings.resolver';
import { AccountSettingsService } from './account-settings.service';
import { AccountsResolver } from './accounts.resolver';
import { AccountsService } from './accounts.service';

/** Accounts, their keys and settings, managed with the admin key. */
@Module({
  imports: [GraphqlTransportModule],
  providers: [AccountsService, AccountsResolver, AccountSettingsService, AccountSettingsResolver],
  exports: [AccountSettingsService],
})
export class AccountsModule {}
