import { Field, Float, ID, InputType, Int } from '@nestjs/graphql';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsBoolean,
  IsDate,
  IsInt,
  IsOptional,
  IsPositive,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { Type } from 'class-transformer';
import { ValidateNested } from 'class-validator';
import { SendWindowInput } from '../../quiet-hours/dto/send-window.input';
import { IsStorableText, IsStorableTextArray } from './is-storable-text.decorator';
import { DATE_TIME_MESSAGE } from '../../common/graphql/date-time.scalar';

export const MAX_RECIPIENTS_PER_CAMPAIGN = 1_000_000;
// numeric(18,5) holds 13 integer digits; no SMS budget comes near this.
export const MAX_COST_LIMIT = 1_000_000_000;

@InputType()
export class SendBulkInput {
  @Field(() => [String], { description: 'phone numbers; [] when recipientListId is given' })
  @ValidateIf((input: SendBulkInput) => !input.recipientListId)
  @ArrayNotEmpty({ message: 'recipients must contain at least one phone number (or give recipientListId)' })
  @ArrayMaxSize(MAX_RECIPIENTS_PER_CAMPAIGN, {
    message: `recipients: at most ${MAX_RECIPIENTS_PER_CAMPAIGN} per campaign`,
  })
  @IsStorableTextArray()
  recipients!: string[];

  @Field(() => ID, {
    nullable: true,
    description: 'an uploaded list (POST /api/recipient-lists) instead of recipients; text may then use its fields',
  })
  @IsOptional()
  @IsUUID('all', { message: 'recipientListId must be the id of an uploaded list' })
  recipientListId?: string | null;

  @Field()
  @IsString()
  @IsStorableText()
  text!: string;

  @Field(() => String, {
    nullable: true,
    description:
      "defaults to the account's first sender ID, else the configured sender; one outside the account's sender IDs is refused",
  })
  @IsOptional()
  @Matches(/^(\+?[0-9]{3,15}|[A-Za-z0-9 ]{1,11})$/, {
    message: 'senderId must be a phone number (E.164) or an alphanumeric sender of at most 11 characters',
  })
  senderId?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(200)
  @IsStorableText()
  name?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "ISO 3166-1 alpha-2, for numbers given without +country code; default: the account's defaultCountry",
  })
  @IsOptional()
  @Matches(/^[A-Za-z]{2}$/, { message: 'defaultCountry must be an ISO 3166-1 alpha-2 code such as US or GB' })
  defaultCountry?: string | null;

  @Field(() => Boolean, { nullable: true, defaultValue: false })
  @IsOptional()
  @IsBoolean()
  smartEncoding?: boolean | null;

  @Field(() => String, { nullable: true, description: 'same key again returns the same campaign, sends nothing new' })
  @IsOptional()
  @Length(1, 200)
  @IsStorableText()
  idempotencyKey?: string | null;

  @Field(() => Float, { nullable: true, description: 'refuse the campaign if the estimate exceeds it' })
  @IsOptional()
  @IsPositive({ message: 'maxCost must be a positive amount' })
  @Max(MAX_COST_LIMIT, { message: `maxCost must be at most ${MAX_COST_LIMIT}` })
  maxCost?: number | null;

  @Field(() => Date, { nullable: true, description: 'at most MAX_SCHEDULE_AHEAD_DAYS (35) days ahead' })
  @IsOptional()
  @IsDate({ message: DATE_TIME_MESSAGE })
  scheduledAt?: Date | null;

  @Field(() => Int, {
    nullable: true,
    description:
      "1 (default) to 10: the campaign's share of the account's messages per second against other campaigns sending at the same time",
  })
  @IsOptional()
  @IsInt({ message: 'priority must be a whole number from 1 to 10' })
  @Min(1, { message: 'priority must be a whole number from 1 to 10' })
  @Max(10, { message: 'priority must be a whole number from 1 to 10' })
  priority?: number | null;

  @Field(() => SendWindowInput, {
    nullable: true,
    description:
      "added: send only inside this window of each recipient's local time (zone from the number); default: the per-country defaults (SEND_WINDOW_DEFAULT, SEND_WINDOW_COUNTRY_DEFAULTS)",
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => SendWindowInput)
  sendWindow?: SendWindowInput | null;
}
