import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { CountrySendWindow, SendWindowModel } from '../../quiet-hours/models/send-window.model';

@ObjectType({ description: "An account's own settings; unset fields fall back to the service's configuration." })
export class AccountSettings {
  @Field(() => ID)
  accountId!: string;

  @Field(() => String, { nullable: true, description: "the account's own Plivo (sub-)account auth id" })
  plivoAuthId!: string | null;

  @Field({ description: 'whether a Plivo auth token is stored (encrypted; never shown)' })
  plivoAuthTokenSet!: boolean;

  @Field(() => [String], { description: 'sender IDs this account may use; the first is its default' })
  senderIds!: string[];

  @Field(() => Float, {
    nullable: true,
    description: "the account's share of the service's messages per second, at most PLIVO_MPS",
  })
  mps!: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'ISO country for recipients written without +country code (sendBulk, quote, list uploads)',
  })
  defaultCountry!: string | null;

  @Field(() => SendWindowModel, { nullable: true, description: 'own default send window; null: SEND_WINDOW_DEFAULT' })
  sendWindowDefault!: SendWindowModel | null;

  @Field(() => [CountrySendWindow], { description: 'own per-country send windows, over SEND_WINDOW_COUNTRY_DEFAULTS' })
  sendWindowCountries!: CountrySendWindow[];

  @Field(() => Int, { nullable: true, description: 'own brake window; null: BRAKE_WINDOW_REPORTS' })
  brakeWindowReports!: number | null;

  @Field(() => Int, { nullable: true, description: 'own brake minimum; null: BRAKE_MIN_REPORTS' })
  brakeMinReports!: number | null;

  @Field(() => Float, { nullable: true, description: 'own brake failure threshold; null: BRAKE_FAILURE_RATE' })
  brakeFailureRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'own brake opt-out threshold; null: BRAKE_OPT_OUT_RATE' })
  brakeOptOutRate!: number | null;

  @Field(() => Date, { nullable: true })
  updatedAt!: Date | null;
}
