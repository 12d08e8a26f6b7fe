import { ArgsType, Field, Int } from '@nestjs/graphql';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const DEFAULT_REJECTED_RECIPIENTS_PAGE = 100;
export const MAX_REJECTED_RECIPIENTS_PAGE = 1000;

@ArgsType()
export class RejectedRecipientsArgs {
  @Field(() => Int, { nullable: true, defaultValue: DEFAULT_REJECTED_RECIPIENTS_PAGE })
  @IsOptional()
  @IsInt()
  @Min(1, { message: 'first must be at least 1' })
  @Max(MAX_REJECTED_RECIPIENTS_PAGE, { message: `first must be at most ${MAX_REJECTED_RECIPIENTS_PAGE}` })
  first?: number | null = DEFAULT_REJECTED_RECIPIENTS_PAGE;

  @Field(() => Int, { nullable: true, defaultValue: 0, description: 'position of the first one to return, from 0' })
  @IsOptional()
  @IsInt()
  @Min(0, { message: 'offset must not be negative' })
  @Max(1_000_000, { message: 'offset must be at most 1000000' })
  offset?: number | null = 0;
}
