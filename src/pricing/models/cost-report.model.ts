import { Field, ObjectType } from '@nestjs/graphql';
import { Money } from '../../common/graphql/money.model';
import { CountryCostReport } from './country-cost-report.model';

@ObjectType({ description: 'Estimated against actual (provider-reported) cost of a campaign, per country.' })
export class CostReport {
  @Field({ description: 'ISO 4217, e.g. "USD"' })
  currency!: string;

  @Field(() => Money)
  estimatedTotal!: Money;

  @Field(() => Money, { description: 'sum of the amounts the provider reported so far' })
  actualTotal!: Money;

  @Field(() => [CountryCostReport])
  perCountry!: CountryCostReport[];
}
