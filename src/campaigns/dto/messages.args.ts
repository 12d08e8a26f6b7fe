import { ArgsType, Field } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsEnum, IsOptional, Matches } from 'class-validator';
import { PageArgs } from '../../common/graphql/page.args';
import { MessageStatus } from '../../domain/message-status.enum';

@ArgsType()
export class MessagesArgs extends PageArgs {
  @Field(() => MessageStatus, { nullable: true })
  @IsOptional()
  @IsEnum(MessageStatus)
  status?: MessageStatus | null;

  // Exact match on the stored E.164 number (spaces, dashes and brackets ignored). Served by the
  // (campaignId, status, id) index: it reads the campaign's rows, not the whole table.
  @Field(() => String, { nullable: true, description: 'only the message(s) to this number (E.164, e.g. +14155550100)' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.replace(/[\s().-]/g, '') : value))
  @Matches(/^\+[1-9]\d{5,14}$/, { message: 'must be an E.164 number such as +14155550100' })
  to?: string | null;
}
