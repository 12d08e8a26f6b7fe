import { ArgsType, Field, ID, Int } from '@nestjs/graphql';
import { IsOptional, IsString, IsUUID, Max, Min } from 'class-validator';

@ArgsType()
export class AuditLogArgs {
  @Field(() => ID, { nullable: true, description: 'only the entries about this account' })
  @IsOptional()
  @IsUUID('all', { message: 'accountId: must be the id of an account' })
  accountId?: string | null;

  @Field(() => Int, { nullable: true, defaultValue: 50 })
  @IsOptional()
  @Min(1)
  @Max(200)
  first?: number | null = 50;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  after?: string | null;
}
