import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { Money } from '../../common/graphql/money.model';
import { CampaignStatus } from '../../domain/campaign-status.enum';
import { Encoding } from '../../domain/encoding.enum';

@ObjectType()
export class Campaign {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => CampaignStatus)
  status!: CampaignStatus;

  @Field(() => String, { nullable: true, description: 'why the campaign is PAUSED or FAILED' })
  statusReason!: string | null;

  @Field({ description: 'the text as sent (after smart encoding, if asked)' })
  text!: string;

  @Field()
  senderId!: string;

  @Field(() => Encoding)
  encoding!: Encoding;

  @Field(() => Int)
  segmentsPerMessage!: number;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  scheduledAt!: Date | null;

  @Field(() => Date, { nullable: true })
  completedAt!: Date | null;

  // rejectedRecipients(first, offset) is RejectedRecipientsResolver's: read a page at a time, only when asked.
  @Field(() => Int, {
    description: 'every rejected input, including those past the first 10,000 that rejectedRecipients keeps',
  })
  rejectedRecipientCount!: number;

  @Field(() => Money)
  estimatedCost!: Money;

  @Field(() => Money, { nullable: true, description: 'the budget given as maxCost, if any' })
  maxCost!: Money | null;
}
