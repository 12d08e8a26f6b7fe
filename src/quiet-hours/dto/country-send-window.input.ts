import { Field, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsOptional, Matches, ValidateNested } from 'class-validator';
import { SendWindowInput } from './send-window.input';

@InputType({ description: "An account's own send window for one country, over SEND_WINDOW_COUNTRY_DEFAULTS" })
export class CountrySendWindowInput {
  @Field({ description: 'ISO 3166-1 alpha-2, e.g. GB' })
  @Matches(/^[A-Z]{2}$/, { message: 'sendWindowCountries.country: must be an ISO country code such as GB' })
  country!: string;

  @Field(() => SendWindowInput, { nullable: true, description: 'null: any time in this country' })
  @IsOptional()
  @ValidateNested()
  @Type(() => SendWindowInput)
  window?: SendWindowInput | null;
}
