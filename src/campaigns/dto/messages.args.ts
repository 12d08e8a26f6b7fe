import { ArgsType, Field, Int } from '@nestjs/graphql';
import { IsEnum, IsOptional, IsString, Max, Min } from 'class-validator';
import { MessageStatus } from '../../domain/message-status.enum';

@ArgsType()
export class MessagesArgs {
  @Field(() => MessageStatus, { nullable: true })
  @IsOptional()
  @IsEnum(MessageStatus)
  status?: MessageStatus | null;

  @Field(() => Int, { defaultValue: 50 })
  @Min(1)
  @Max(500)
  first = 50;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  after?: string | null;
}
