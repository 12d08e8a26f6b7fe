import { Field, Float, ID, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: "An account's own settings; unset fields fall back to the service's configuration." })
export class AccountSettings {
  @Field(() => ID)
  accountId!: string;

  @Field(() => String, { nullable: true, description: "the account's own Plivo (sub-)account auth id" })
  plivoAuthId!: string | null;

  @Field({ description: 'whether a Plivo auth token is stored (encrypted; never shown)' })
  plivoAuthTokenSet!: boolean;

  @Field(() => [String], { description: 'sender IDs this account may use; the first is its default' })
  senderIds!: string[];

  @Field(() => Float, { nullable: true, description: "messages per second of the account's Plivo account" })
  mps!: number | null;

  @Field(() => String, { nullable: true, description: 'ISO country for recipients written without +country code' })
  defaultCountry!: string | null;

  @Field(() => Date, { nullable: true })
  updatedAt!: Date | null;
}
