import { Field, Int, ObjectType } from '@nestjs/graphql';
import { Money } from '../../common/graphql/money.model';

@ObjectType()
export class CountryQuote {
  @Field({ description: 'ISO 3166-1 alpha-2' })
  country!: string;

  @Field(() => Int)
  recipients!: number;

  @Field(() => Money)
  pricePerSegment!: Money;

  @Field(() => Money)
  cost!: Money;

  @Field(() => Money, { description: "added: the dearest of the country's network rates, per segment" })
  maxPricePerSegment!: Money;

  @Field(() => Money, { description: 'added: the recipients at maxPricePerSegment' })
  worstCaseCost!: Money;

  @Field(() => Int, {
    nullable: true,
    description: "segments of all the recipients' texts together (personalized quotes; null otherwise)",
  })
  segments?: number | null;
}
