import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { PageInfo } from '../../common/graphql/page-info.model';

export enum SuppressionSource {
  INBOUND_KEYWORD = 'INBOUND_KEYWORD',
  CARRIER_OPT_OUT = 'CARRIER_OPT_OUT',
  API = 'API',
  CSV_IMPORT = 'CSV_IMPORT',
}

registerEnumType(SuppressionSource, {
  name: 'SuppressionSource',
  description:
    'Why a number is suppressed: a STOP keyword it sent, the carrier or Plivo refusing it (error 200), the API, or a CSV import',
});

@ObjectType({ description: 'A number the account never sends to (opt-out list entry)' })
export class Suppression {
  @Field({ description: 'E.164, or "erased:<keyed hash>" after eraseRecipient' })
  phone!: string;

  @Field()
  reason!: string;

  @Field(() => SuppressionSource)
  source!: SuppressionSource;

  @Field(() => ID, { nullable: true, description: 'The campaign the opt-out answered, if known' })
  campaignId!: string | null;

  @Field()
  createdAt!: Date;
}

@ObjectType()
export class SuppressionEdge {
  @Field()
  cursor!: string;

  @Field(() => Suppression)
  node!: Suppression;
}

@ObjectType()
export class SuppressionConnection {
  @Field(() => [SuppressionEdge])
  edges!: SuppressionEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  /** Filled by the resolver only when asked for. */
  accountId!: string;
  search!: string | undefined;
}

@ObjectType()
export class AddSuppressionsResult {
  @Field(() => Int, { description: 'Numbers newly suppressed' })
  added!: number;

  @Field(() => Int, { description: 'Numbers that were suppressed already (left as they were)' })
  alreadySuppressed!: number;

  @Field(() => Int, { description: 'Waiting messages of running campaigns that became SUPPRESSED' })
  messagesSuppressed!: number;
}

@ObjectType()
export class ErasureResult {
  @Field(() => Int, { description: 'Messages whose number was replaced by its keyed hash' })
  messages!: number;

  @Field({ description: 'Whether a hashed suppression is kept (the number stays suppressed)' })
  suppressionKept!: boolean;
}
