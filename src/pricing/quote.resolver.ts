import { Args, Context, Query, Resolver } from '@nestjs/graphql';
import { BulkRecipientsRequest, withBulkRecipients } from '../common/graphql/bulk-recipients';
import { AuthenticatedAccount } from '../common/auth/authenticated-account';
import { CurrentAccount } from '../common/auth/current-account.decorator';
import { SuppressedRecipients } from '../consent/suppressed-recipients';
import { AccountSettingsRepository } from '../persistence/account-settings.repository';
import { toSendWindow } from '../quiet-hours/dto/send-window-input.mapper';
import { SendWindowDefaultsService } from '../quiet-hours/send-window-defaults.service';
import { QuoteInput } from './dto/quote.input';
import { Quote } from './models/quote.model';
import { PricingService } from './pricing.service';
import { RequireScope } from '../common/auth/require-scope.decorator';
import { Scope } from '../common/auth/scope.enum';

@Resolver(() => Quote)
export class QuoteResolver {
  constructor(
    private readonly pricing: PricingService,
    private readonly suppressed: SuppressedRecipients,
    private readonly windowDefaults: SendWindowDefaultsService,
    private readonly accountSettings: AccountSettingsRepository,
  ) {}

  @RequireScope(Scope.CAMPAIGNS_READ)
  @Query(() => Quote, { description: 'What sending the text to the recipients would cost; sends nothing.' })
  async quote(
    @CurrentAccount() account: AuthenticatedAccount,
    @Args('input') given: QuoteInput,
    @Context('req') req: BulkRecipientsRequest | undefined,
  ): Promise<Quote> {
    const input = withBulkRecipients(given, req);
    const campaignWindow = toSendWindow(input.sendWindow);
    // Read once for both: the account's default country and its send-window defaults.
    const settings = await this.accountSettings.find(account.accountId);
    return this.pricing.quote(
      {
        text: input.text,
        recipients: input.recipients ?? [],
        recipientListId: input.recipientListId,
        accountId: account.accountId,
        defaultCountry: input.defaultCountry ?? settings?.defaultCountry ?? null,
        smartEncoding: input.smartEncoding ?? false,
        sendWindows: { campaignWindow, defaults: this.windowDefaults.fromSettings(settings) },
      },
      (phones) => this.suppressed.find(account.accountId, phones),
    );
  }
}
