import { Args, Context, Float, ID, Mutation, Resolver } from '@nestjs/graphql';
import { BulkRecipientsRequest, withBulkRecipients } from '../common/graphql/bulk-recipients';
import { AuthenticatedAccount } from '../common/auth/authenticated-account';
import { CurrentAccount } from '../common/auth/current-account.decorator';
import { CampaignView, toCampaignView } from './campaign.mapper';
import { CampaignControlService } from './campaign-control.service';
import { SendBulkInput } from './dto/send-bulk.input';
import { Campaign } from './models/campaign.model';
import { SendBulkService } from './send-bulk.service';
import { RequireScope } from '../common/auth/require-scope.decorator';
import { Scope } from '../common/auth/scope.enum';

@Resolver(() => Campaign)
export class CampaignCommandsResolver {
  constructor(
    private readonly sendBulkService: SendBulkService,
    private readonly control: CampaignControlService,
  ) {}

  @RequireScope(Scope.CAMPAIGNS_WRITE)
  @Mutation(() => Campaign)
  async sendBulk(
    @CurrentAccount() account: AuthenticatedAccount,
    @Args('input') input: SendBulkInput,
    @Context('req') req: BulkRecipientsRequest | undefined,
  ): Promise<CampaignView> {
    return toCampaignView(await this.sendBulkService.send(account.accountId, withBulkRecipients(input, req)));
  }

  @RequireScope(Scope.CAMPAIGNS_WRITE)
  @Mutation(() => Campaign)
  async cancelCampaign(
    @CurrentAccount() account: AuthenticatedAccount,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<CampaignView> {
    return toCampaignView(await this.control.cancel(account.accountId, id));
  }

  @RequireScope(Scope.CAMPAIGNS_WRITE)
  @Mutation(() => Campaign)
  async pauseCampaign(
    @CurrentAccount() account: AuthenticatedAccount,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<CampaignView> {
    return toCampaignView(await this.control.pause(account.accountId, id));
  }

  @RequireScope(Scope.CAMPAIGNS_WRITE)
  @Mutation(() => Campaign)
  async resumeCampaign(
    @CurrentAccount() account: AuthenticatedAccount,
    @Args('id', { type: () => ID }) id: string,
    @Args('maxCost', {
      type: () => Float,
      nullable: true,
      description: 'a new budget, e.g. after the campaign paused because the old one would be exceeded',
    })
    maxCost?: number | null,
    @Args('ignoreBrake', {
      type: () => Boolean,
      nullable: true,
      defaultValue: false,
      description: 'added: after the automatic brake tripped, keep sending without checking it again for this campaign',
    })
    ignoreBrake?: boolean | null,
  ): Promise<CampaignView> {
    return toCampaignView(await this.control.resume(account.accountId, id, maxCost, ignoreBrake ?? false));
  }
}
