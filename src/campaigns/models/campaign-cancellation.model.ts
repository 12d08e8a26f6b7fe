import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({
  description: 'what cancelling a campaign stopped, and what it could not: Plivo cannot withdraw a queued message',
})
export class CampaignCancellation {
  @Field(() => Int, { description: 'messages cancelled before they reached Plivo (never sent, never charged)' })
  cancelledMessages!: number;

  // Resolved by AlreadyWithProviderResolver, so its query runs only when a client asks for it.
  @Field(() => Int, {
    description:
      'messages Plivo accepted: they go out and are charged. Not those it refused at submission (never charged), ' +
      'nor those still in a request when the campaign was cancelled until Plivo accepts them',
  })
  alreadyWithProvider?: number;

  campaignId!: string;
}
