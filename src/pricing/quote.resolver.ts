import { Args, Query, Resolver } from '@nestjs/graphql';
import { QuoteInput } from './dto/quote.input';
import { Quote } from './models/quote.model';
import { PricingService } from './pricing.service';

@Resolver(() => Quote)
export class QuoteResolver {
  constructor(private readonly pricing: PricingService) {}

  @Query(() => Quote, { description: 'What sending the text to the recipients would cost; sends nothing.' })
  quote(@Args('input') input: QuoteInput): Promise<Quote> {
    return this.pricing.quote({
      text: input.text,
      recipients: input.recipients ?? [],
      defaultCountry: input.defaultCountry,
      smartEncoding: input.smartEncoding ?? false,
    });
  }
}
