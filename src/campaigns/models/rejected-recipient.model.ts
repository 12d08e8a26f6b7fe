import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType()
export class RejectedRecipient {
  @Field({ description: 'the string as given' })
  input!: string;

  @Field({ description: 'e.g. "not a valid phone number", "duplicate"' })
  reason!: string;
}
