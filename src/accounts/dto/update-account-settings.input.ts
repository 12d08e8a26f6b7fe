import { Field, Float, InputType } from '@nestjs/graphql';
import { ArrayMaxSize, IsOptional, IsPositive, IsString, Matches, Max, MaxLength, MinLength } from 'class-validator';

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
}
