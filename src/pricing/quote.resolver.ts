import { Args, Query, Resolver } from '@nestjs/graphql';
import { NotImplementedError } from '../common/errors/domain-error';
import { QuoteInput } from './dto/quote.input';
import { Quote } from './models/quote.model';

@Resolver(() => Quote)
export class QuoteResolver {
  @Query(() => Quote)
  quote(@Args('input') _input: QuoteInput): Promise<Quote> {
    return Promise.reject(new NotImplementedError('quote'));
  }
}
