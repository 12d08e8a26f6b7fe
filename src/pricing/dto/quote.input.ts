import { Field, ID, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsBoolean, IsOptional, IsString, IsUUID, Matches, ValidateNested } from 'class-validator';
import { SendWindowInput } from '../../quiet-hours/dto/send-window.input';
import { MAX_RECIPIENTS_PER_CAMPAIGN } from '../../campaigns/dto/send-bulk.input';

@InputType()
export class QuoteInput {
  @Field()
  @IsString()
  text!: string;

  @Field(() => [String], { nullable: true, defaultValue: [] })
  @IsOptional()
  // GraphQL already guarantees [String!]; no per-element check (see SendBulkInput.recipients).
  @ArrayMaxSize(MAX_RECIPIENTS_PER_CAMPAIGN)
  recipients?: string[] | null;

  @Field(() => ID, {
    nullable: true,
    description: 'an uploaded list (POST /api/recipient-lists) instead of recipients; text may then use its fields',
  })
  @IsOptional()
  @IsUUID('all', { message: 'recipientListId must be the id of an uploaded list' })
  recipientListId?: string | null;

  @Field(() => String, { nullable: true, description: 'for numbers given without +country code' })
  @IsOptional()
  @Matches(/^[A-Za-z]{2}$/, { message: 'defaultCountry must be an ISO 3166-1 alpha-2 code such as US or GB' })
  defaultCountry?: string | null;

  @Field(() => Boolean, { nullable: true, defaultValue: false })
  @IsOptional()
  @IsBoolean()
  smartEncoding?: boolean | null;

  @Field(() => SendWindowInput, {
    nullable: true,
    description: 'added: the send window the campaign would have (default: the per-country defaults)',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => SendWindowInput)
  sendWindow?: SendWindowInput | null;
}
