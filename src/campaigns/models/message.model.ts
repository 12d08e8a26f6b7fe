import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { Money } from '../../common/graphql/money.model';
import { MessageStatus } from '../../domain/message-status.enum';

@ObjectType()
export class Message {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'E.164' })
  to!: string;

  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2' })
  country!: string | null;

  @Field(() => MessageStatus)
  status!: MessageStatus;

  @Field(() => String, { nullable: true, description: 'Plivo MessageUUID' })
  providerMessageId!: string | null;

  @Field(() => String, { nullable: true })
  errorCode!: string | null;

  @Field(() => Int, { nullable: true })
  units!: number | null;

  @Field(() => Money, { nullable: true })
  cost!: Money | null;

  @Field(() => String, {
    nullable: true,
    description:
      'the text sent to this recipient (rendered per recipient for a list campaign); null if it is never sent',
  })
  text!: string | null;

  @Field(() => Date)
  updatedAt!: Date;
}
