import { ArgsType, Field, Int } from '@nestjs/graphql';
import { IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { PageArgs } from '../../common/graphql/page.args';

@ArgsType()
export class SuppressionsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Digits the number contains, e.g. "4155550"' })
  @IsOptional()
  @Matches(/^\+?\d{1,15}$/, { message: 'search must be digits of a phone number (optionally starting with +)' })
  search?: string | null;
}

@ArgsType()
export class ConsentRecordsArgs {
  @Field(() => String, { nullable: true, description: 'Only this number (E.164)' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  phone?: string | null;

  @Field(() => Int, { nullable: true, defaultValue: 50 })
  @IsOptional()
  @Min(1)
  @Max(500)
  first?: number | null = 50;

  @Field(() => String, { nullable: true, description: 'The id of the last record of the previous page' })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'after must be a record id' })
  after?: string | null;
}
