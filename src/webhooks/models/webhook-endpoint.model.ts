import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'A URL of the account that receives signed events (Standard Webhooks).' })
export class WebhookEndpoint {
  @Field(() => ID)
  id!: string;

  @Field()
  url!: string;

  @Field(() => [String], { description: 'the event types it receives' })
  events!: string[];

  @Field(() => Date)
  createdAt!: Date;

  @Field({
    description:
      'false once disabled after repeated failure (see disabledReason); enableWebhookEndpoint turns it back on',
  })
  enabled!: boolean;

  @Field(() => Date, { nullable: true })
  disabledAt!: Date | null;

  @Field(() => String, { nullable: true })
  disabledReason!: string | null;

  @Field(() => Int, { description: 'failed attempts since the last success' })
  consecutiveFailures!: number;

  @Field(() => Date, { nullable: true })
  lastSuccessAt!: Date | null;

  @Field(() => Date, { nullable: true })
  lastFailureAt!: Date | null;
}

@ObjectType()
export class CreatedWebhookEndpoint {
  @Field(() => WebhookEndpoint)
  endpoint!: WebhookEndpoint;

  @Field({ description: 'the signing secret (whsec_…), shown only now: store it to verify webhook-signature' })
  secret!: string;
}
