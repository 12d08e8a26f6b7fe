import { Field, InputType, registerEnumType } from '@nestjs/graphql';
import { ArrayMaxSize, IsIn, IsOptional, Matches } from 'class-validator';
import { WEEKDAY_NAMES, WeekdayName } from '../send-window';

export enum Weekday {
  MON = 'MON',
  TUE = 'TUE',
  WED = 'WED',
  THU = 'THU',
  FRI = 'FRI',
  SAT = 'SAT',
  SUN = 'SUN',
}
registerEnumType(Weekday, { name: 'Weekday' });

const LOCAL_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const LOCAL_END_TIME = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

@InputType({ description: "When recipients may get the message, in each recipient's local time" })
export class SendWindowInput {
  @Field({ description: 'local start time, HH:MM (e.g. "09:00")' })
  @Matches(LOCAL_TIME, { message: 'sendWindow.start must be a local time HH:MM such as 09:00' })
  start!: string;

  @Field({ description: 'local end time, HH:MM, up to "24:00"; before start for a window across midnight' })
  @Matches(LOCAL_END_TIME, { message: 'sendWindow.end must be a local time HH:MM such as 20:00 (24:00 for midnight)' })
  end!: string;

  @Field(() => [Weekday], { nullable: true, description: 'days the window opens on (local); default every day' })
  @IsOptional()
  @ArrayMaxSize(7)
  @IsIn(WEEKDAY_NAMES, { each: true, message: 'sendWindow.days must be days such as MON, TUE' })
  days?: WeekdayName[] | null;
}
