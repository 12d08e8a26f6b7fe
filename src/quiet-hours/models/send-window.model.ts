import { Field, ObjectType } from '@nestjs/graphql';
import { Weekday } from '../dto/send-window.input';

@ObjectType("SendWindow", { description: "A send window in each recipient's local time" })
export class SendWindowModel {
  @Field({ description: 'local start time, HH:MM' })
  start!: string;

  @Field({ description: 'local end time, HH:MM (24:00 for midnight); before start for a window across midnight' })
  end!: string;

  @Field(() => [Weekday], { description: 'days the window opens on (local)' })
  days!: Weekday[];
}

@ObjectType({ description: "An account's own send window for one country" })
export class CountrySendWindow {
  @Field({ description: 'ISO 3166-1 alpha-2' })
  country!: string;

  @Field(() => SendWindowModel, { nullable: true, description: 'null: any time' })
  window!: SendWindowModel | null;
}
