import { Int, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { MessageStatus } from '../domain/message-status.enum';
import { CampaignsService } from './campaigns.service';
import { MessageConnection } from './models/message-connection.model';

@Resolver(() => MessageConnection)
export class MessageConnectionResolver {
  constructor(private readonly campaigns: CampaignsService) {}

  // A separate count query, run only when the client selects totalCount.
  @ResolveField(() => Int)
  totalCount(@Parent() connection: MessageConnection): Promise<number> {
    return this.campaigns.countMessages(
      connection.campaignId,
      connection.statusFilter as MessageStatus | null,
      connection.toFilter,
    );
  }
}
