import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({
  description: 'what cancelling a campaign stopped, and what it could not: Plivo cannot withdraw a queued message',
})
export class CampaignCancellation {
  @Field(() => Int, { description: 'messages cancelled before they reached Plivo (never sent, never charged)' })
  cancelledMessages!: number;

  @Field(() => Int, {
    description:
      'messages already handed to Plivo (or on their way in a request) when the campaign was cancelled: they go out and are charged',
  })
  alreadyWithProvider!: number;
}
