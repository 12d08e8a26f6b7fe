import { Field, Int, ObjectType } from '@nestjs/graphql';
import { Money } from '../../common/graphql/money.model';

@ObjectType({ description: "One country's estimated and provider-reported cost in a campaign." })
export class CountryCostReport {
  @Field({ description: 'ISO 3166-1 alpha-2; "ZZ" for messages stored without a country' })
  country!: string;

  @Field(() => Int, { description: 'recipients in this country, as accepted' })
  recipients!: number;

  @Field(() => Money, { description: 'as quoted when the campaign was accepted' })
  estimated!: Money;

  @Field(() => Money, { description: 'sum of the amounts the provider reported so far' })
  actual!: Money;

  @Field(() => Int, { description: 'messages whose amount the provider has reported' })
  reportedMessages!: number;
}
