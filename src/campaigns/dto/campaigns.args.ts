import { ArgsType, Field, Int } from '@nestjs/graphql';
import { IsOptional, IsString, Max, Min } from 'class-validator';

@ArgsType()
export class CampaignsArgs {
  @Field(() => Int, { nullable: true, defaultValue: 20 })
  @IsOptional()
  @Min(1)
  @Max(100)
  first?: number | null = 20;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  after?: string | null;
}
