import { Field, Float, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsInt,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { CountrySendWindowInput } from '../../quiet-hours/dto/country-send-window.input';
import { SendWindowInput } from '../../quiet-hours/dto/send-window.input';

/** Only the fields given change; null clears a field (back to the service's configuration). */
@InputType()
export class UpdateAccountSettingsInput {
  @Field(() => String, { nullable: true, description: "Plivo auth id of the account's own (sub-)account" })
  @IsOptional()
  @Matches(/^[A-Z0-9]{10,40}$/, { message: 'plivoAuthId: must look like a Plivo auth id (MA… or SA…)' })
  plivoAuthId?: string | null;

  @Field(() => String, { nullable: true, description: 'stored encrypted; set with plivoAuthId' })
  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'plivoAuthToken: at least 8 characters' })
  @MaxLength(200, { message: 'plivoAuthToken: at most 200 characters' })
  plivoAuthToken?: string | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50, { message: 'senderIds: at most 50' })
  @Matches(/^(\+?\d{3,15}|[A-Za-z0-9 ]{1,11})$/, {
    each: true,
    message: 'senderIds: each must be a number (+14155550100) or an alphanumeric ID of up to 11 characters',
  })
  senderIds?: string[] | null;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @IsPositive({ message: 'mps: must be positive' })
  @Max(10_000, { message: 'mps: at most 10000' })
  mps?: number | null;

  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2, e.g. US' })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'defaultCountry: must be an ISO country code such as US' })
  defaultCountry?: string | null;

  @Field(() => SendWindowInput, {
    nullable: true,
    description:
      "the account's default send window (quiet hours), over SEND_WINDOW_DEFAULT; a campaign's sendWindow wins",
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => SendWindowInput)
  sendWindowDefault?: SendWindowInput | null;

  @Field(() => [CountrySendWindowInput], {
    nullable: true,
    description: "per-country send windows over SEND_WINDOW_COUNTRY_DEFAULTS; replaces the account's whole list",
  })
  @IsOptional()
  @ArrayMaxSize(250, { message: 'at most 250 countries' })
  @ValidateNested({ each: true })
  @Type(() => CountrySendWindowInput)
  sendWindowCountries?: CountrySendWindowInput[] | null;

  @Field(() => Int, {
    nullable: true,
    description: 'brake: the last N sends and the last N receipts of a campaign in a country',
  })
  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'at least 1' })
  @Max(100_000, { message: 'at most 100000' })
  brakeWindowReports?: number | null;

  @Field(() => Int, { nullable: true, description: 'brake: no decision on fewer sends; receipts count from this many' })
  @IsOptional()
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'at least 1' })
  @Max(100_000, { message: 'at most 100000' })
  brakeMinReports?: number | null;

  @Field(() => Float, { nullable: true, description: 'brake: trips above this share of failed + undelivered (0 to 1)' })
  @IsOptional()
  @Min(0, { message: 'a share from 0 to 1' })
  @Max(1, { message: 'a share from 0 to 1' })
  brakeFailureRate?: number | null;

  @Field(() => Float, { nullable: true, description: 'brake: trips above this share of opt-outs (0 to 1)' })
  @IsOptional()
  @Min(0, { message: 'a share from 0 to 1' })
  @Max(1, { message: 'a share from 0 to 1' })
  brakeOptOutRate?: number | null;
}
