import { ArgsType, Field, Int } from '@nestjs/graphql';
import { IsEnum, IsOptional, IsString, Max, Min } from 'class-validator';
import { MessageStatus } from '../../domain/message-status.enum';

@ArgsType()
export class MessagesArgs {
  @Field(() => MessageStatus, { nullable: true })
  @IsOptional()
  @IsEnum(MessageStatus)
  status?: MessageStatus | null;

  @Field(() => Int, { nullable: true, defaultValue: 50 })
  @IsOptional()
  @Min(1)
  @Max(500)
  first?: number | null = 50;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  after?: string | null;
}
