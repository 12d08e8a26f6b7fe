import { Field, ID, ObjectType } from '@nestjs/graphql';
import { Scope } from '../../common/auth/scope.enum';

@ObjectType({ description: 'An API key as stored: its material is never shown again after createApiKey.' })
export class ApiKey {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  accountId!: string;

  @Field()
  name!: string;

  @Field(() => [Scope])
  scopes!: Scope[];

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'the key stops working at this time; null: never' })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;

  @Field({ description: 'neither revoked nor expired' })
  active!: boolean;
}

@ObjectType()
export class CreatedApiKey {
  @Field(() => ApiKey)
  apiKey!: ApiKey;

  @Field({ description: 'the key to send as x-api-key; shown this once only (only its hash is stored)' })
  key!: string;
}
