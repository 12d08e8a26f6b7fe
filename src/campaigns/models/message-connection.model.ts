import { Field, Int, ObjectType } from '@nestjs/graphql';
import { PageInfo } from '../../common/graphql/page-info.model';
import { Message } from './message.model';

@ObjectType()
export class MessageEdge {
  @Field()
  cursor!: string;

  @Field(() => Message)
  node!: Message;
}

@ObjectType()
export class MessageConnection {
  @Field(() => [MessageEdge])
  edges!: MessageEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  // Resolved by a field resolver, so the count query runs only when a client asks for it.
  @Field(() => Int, { description: 'number of messages matching the filter (counted only when asked)' })
  totalCount!: number;

  campaignId!: string;
  statusFilter!: string | null;
  toFilter?: string | null;
}
