import { Field, InputType } from '@nestjs/graphql';
import { ArrayMaxSize, ArrayMinSize, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

export const MAX_SUPPRESSIONS_PER_CALL = 100_000;

@InputType()
export class AddSuppressionsInput {
  @Field(() => [String], { description: 'Numbers in E.164 (or national with defaultCountry)' })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_SUPPRESSIONS_PER_CALL)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  phones!: string[];

  @Field(() => String, { nullable: true, description: 'Kept with each entry and its consent record' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  reason?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  defaultCountry?: string | null;

  @Field(() => String, { nullable: true, description: 'API (default) or CSV_IMPORT (the CLI sets it)' })
  @IsOptional()
  @IsIn(['API', 'CSV_IMPORT'])
  source?: 'API' | 'CSV_IMPORT' | null;
}

@InputType()
export class ConsentSettingsInput {
  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(40, { each: true })
  optOutKeywords?: string[] | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(40, { each: true })
  optInKeywords?: string[] | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(40, { each: true })
  helpKeywords?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Empty string: no reply' })
  @IsOptional()
  @IsString()
  @MaxLength(640)
  optOutReply?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(640)
  optInReply?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(640)
  helpReply?: string | null;
}
