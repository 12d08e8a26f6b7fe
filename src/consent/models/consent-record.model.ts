import { Field, ID, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'Evidence of an opt-out or opt-in: source, time, message and the campaign it answered' })
export class ConsentRecord {
  @Field(() => ID)
  id!: string;

  @Field()
  phone!: string;

  @Field({ description: 'OPT_OUT or OPT_IN' })
  action!: string;

  @Field({ description: 'INBOUND_KEYWORD, CARRIER_OPT_OUT, API or CSV_IMPORT' })
  source!: string;

  @Field(() => ID, { nullable: true })
  campaignId!: string | null;

  @Field(() => String, { nullable: true, description: "Plivo's MessageUUID of the inbound message or report" })
  messageUuid!: string | null;

  @Field(() => String, { nullable: true, description: 'The text received, or the reason given through the API' })
  text!: string | null;

  @Field()
  createdAt!: Date;
}

@ObjectType({ description: 'Keywords and replies of the account (defaults when never set)' })
export class ConsentSettings {
  @Field(() => [String])
  optOutKeywords!: string[];

  @Field(() => [String])
  optInKeywords!: string[];

  @Field(() => [String])
  helpKeywords!: string[];

  @Field(() => String, { nullable: true, description: 'Sent once when a number opts out; null: none' })
  optOutReply!: string | null;

  @Field(() => String, { nullable: true })
  optInReply!: string | null;

  @Field(() => String, { nullable: true })
  helpReply!: string | null;
}
