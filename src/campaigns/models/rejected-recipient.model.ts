import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType()
export class RejectedRecipient {
  @Field({ description: 'the string as given (cut to 64 characters, then …)' })
  input!: string;

  @Field({ description: 'e.g. "not a valid phone number", "duplicate"' })
  reason!: string;
}
