import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'A rejected row of an uploaded list' })
export class RecipientListRejectedRow {
  @Field(() => Int, { description: 'line of the upload (CSV: the header is row 1)' })
  row!: number;

  @Field(() => String, { nullable: true, description: 'the column the problem is in; null for the whole row' })
  column!: string | null;

  @Field({ description: 'the value, cut to 64 characters' })
  input!: string;

  @Field()
  reason!: string;
}

@ObjectType()
export class RecipientListCountry {
  @Field({ description: 'ISO 3166-1 alpha-2' })
  country!: string;

  @Field(() => Int)
  recipients!: number;
}

@ObjectType({ description: 'A list uploaded to POST /api/recipient-lists; send it with recipientListId' })
export class RecipientList {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'csv or ndjson' })
  format!: string;

  @Field({ description: 'the column holding the phone numbers' })
  phoneColumn!: string;

  @Field(() => [String], { description: 'the other columns: the fields a template can use' })
  fields!: string[];

  @Field(() => Int, { description: 'data rows read' })
  rows!: number;

  @Field(() => Int, { description: 'valid, de-duplicated recipients' })
  recipients!: number;

  @Field(() => Int)
  duplicates!: number;

  @Field(() => Int, { description: 'every rejected row (duplicates included)' })
  rejected!: number;

  @Field(() => [RecipientListRejectedRow], { description: 'the first 1,000 rejected rows' })
  rejectedRows!: RecipientListRejectedRow[];

  @Field()
  rejectedRowsTruncated!: boolean;

  @Field(() => [RecipientListCountry])
  perCountry!: RecipientListCountry[];

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { description: 'after this the list cannot be sent and is deleted (RECIPIENT_LIST_TTL_HOURS)' })
  expiresAt!: Date;
}
