import { Field, Int, ObjectType } from '@nestjs/graphql';
import { RejectedRecipient } from '../../campaigns/models/rejected-recipient.model';
import { Money } from '../../common/graphql/money.model';
import { Encoding } from '../../domain/encoding.enum';
import { CountryQuote } from './country-quote.model';

@ObjectType()
export class SegmentDistribution {
  @Field(() => Encoding)
  encoding!: Encoding;

  @Field(() => Int)
  segments!: number;

  @Field(() => Int)
  recipients!: number;
}

@ObjectType({ description: 'a field the template reads that some recipients of the list leave empty' })
export class EmptyTemplateField {
  @Field({ description: 'the column (CSV) or key (NDJSON)' })
  field!: string;

  @Field(() => Int, { description: 'recipients whose row leaves it empty or lacks it' })
  recipients!: number;

  @Field({
    description:
      'added: true when the template reads the field only with a default ({{ name | default: "there" }}), so these ' +
      'recipients get the default; false when some place renders it as nothing',
  })
  defaulted!: boolean;
}

@ObjectType({
  description:
    'For a personalized text (recipientListId and placeholders): encoding is UCS2 if any text is, characters and segments are the largest, text is the template',
})
export class Quote {
  @Field(() => Encoding)
  encoding!: Encoding;

  @Field(() => Int, { description: 'user-perceived length as counted for the encoding' })
  characters!: number;

  @Field(() => Int, { description: 'segments per message' })
  segments!: number;

  @Field({ description: 'the text that would be sent (smart-encoded if asked)' })
  text!: string;

  @Field(() => [String], { description: 'the characters that force UCS-2, if any' })
  unicodeCharacters!: string[];

  @Field(() => Int, { description: 'segments saved by smart encoding (0 when not asked)' })
  smartEncodingSavedSegments!: number;

  @Field(() => Int, { description: 'valid, deduplicated recipients' })
  recipients!: number;

  @Field(() => [RejectedRecipient])
  rejectedRecipients!: RejectedRecipient[];

  @Field(() => [CountryQuote])
  perCountry!: CountryQuote[];

  @Field(() => Money)
  totalCost!: Money;

  @Field(() => Money, {
    description:
      "added: every recipient at the dearest network rate of their country (Plivo bills a number at its network's rate; totalCost uses the country's)",
  })
  worstCaseTotalCost!: Money;

  @Field(() => Int, {
    description:
      "added: recipients under a send window whose time zone is assumed (the country's most populous), not known from the number",
  })
  assumedTimeZoneRecipients!: number;
  @Field(() => [SegmentDistribution], {
    description: 'recipients per encoding and segment count (one entry for a text without placeholders)',
  })
  distribution!: SegmentDistribution[];

  @Field(() => Int, { description: 'distinct texts after rendering the template (1 without placeholders)' })
  distinctTexts!: number;

  @Field(() => [EmptyTemplateField], {
    description:
      'added: the fields the template reads that some recipients leave empty: they render as nothing there unless the ' +
      'template gives a default ({{ name | default: "there" }}); [] without a list or when none is empty',
  })
  emptyFields!: EmptyTemplateField[];
}
