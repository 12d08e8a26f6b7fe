import { Field, ObjectType } from '@nestjs/graphql';
import { PageInfo } from '../../common/graphql/page-info.model';
import { Campaign } from './campaign.model';

@ObjectType()
export class CampaignEdge {
  @Field()
  cursor!: string;

  @Field(() => Campaign)
  node!: Campaign;
}

@ObjectType()
export class CampaignConnection {
  @Field(() => [CampaignEdge])
  edges!: CampaignEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
