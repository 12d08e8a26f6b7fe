import { Field, Float, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'An amount of money; computed exactly, rounded to 5 decimals only here.' })
export class Money {
  @Field(() => Float, { description: 'rounded to 5 decimals' })
  amount!: number;

  @Field({ description: 'ISO 4217, e.g. "USD"' })
  currency!: string;
}
