import { Field, ID, ObjectType } from '@nestjs/graphql';
import { PageInfo } from '../../common/graphql/page-info.model';

@ObjectType({ description: 'A tenant: its campaigns, keys and settings are its own.' })
export class Account {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType()
export class AccountEdge {
  @Field()
  cursor!: string;

  @Field(() => Account)
  node!: Account;
}

@ObjectType()
export class AccountConnection {
  @Field(() => [AccountEdge])
  edges!: AccountEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
