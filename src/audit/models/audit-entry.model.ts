import { Field, ID, ObjectType } from '@nestjs/graphql';
import { PageInfo } from '../../common/graphql/page-info.model';

@ObjectType({ description: 'One state-changing call or key change: who, what, when, from where.' })
export class AuditEntry {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { nullable: true, description: 'the account acted upon' })
  accountId!: string | null;

  @Field(() => ID, { nullable: true, description: 'the key that made the call' })
  apiKeyId!: string | null;

  @Field({ description: 'the mutation name, or "METHOD /route" for REST' })
  action!: string;

  @Field({ description: '"ok", or the error code the call ended with' })
  outcome!: string;

  @Field({ description: 'JSON of the arguments: phone numbers masked, secrets redacted, lists counted' })
  details!: string;

  @Field(() => String, { nullable: true })
  clientAddress!: string | null;

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType()
export class AuditEntryEdge {
  @Field()
  cursor!: string;

  @Field(() => AuditEntry)
  node!: AuditEntry;
}

@ObjectType()
export class AuditEntryConnection {
  @Field(() => [AuditEntryEdge])
  edges!: AuditEntryEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
