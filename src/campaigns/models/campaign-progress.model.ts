import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { Money } from '../../common/graphql/money.model';
import { CampaignStatus } from '../../domain/campaign-status.enum';

@ObjectType()
export class CampaignProgress {
  @Field(() => ID)
  campaignId!: string;

  @Field(() => CampaignStatus)
  status!: CampaignStatus;

  @Field(() => String, {
    nullable: true,
    description:
      'why the campaign is paused, `brake: …` when the automatic brake stopped a country, or `stalled: …` when its messages stopped moving',
  })
  statusReason!: string | null;

  @Field(() => Int, { description: 'accepted recipients (after validation and dedupe)' })
  total!: number;

  @Field(() => Int) pending!: number;
  @Field(() => Int) submitted!: number;
  @Field(() => Int) queued!: number;
  @Field(() => Int) sent!: number;
  @Field(() => Int) delivered!: number;
  @Field(() => Int) undelivered!: number;
  @Field(() => Int) failed!: number;
  @Field(() => Int) rejected!: number;
  @Field(() => Int) unconfirmed!: number;
  @Field(() => Int) suppressed!: number;
  @Field(() => Int) cancelled!: number;

  @Field(() => Int, {
    description: "added: waiting messages whose send window is closed now (recipient's local time)",
  })
  waitingForWindow!: number;

  @Field(() => Int, { description: 'added: waiting messages held by a tripped brake until resumeCampaign' })
  heldByBrake!: number;

  @Field(() => Money, { description: 'sum of provider-reported amounts so far' })
  cost!: Money;

  @Field(() => Date, { nullable: true, description: 'from the pacing rate; null when final' })
  estimatedCompletionAt!: Date | null;

  @Field(() => Date)
  updatedAt!: Date;
}
