import { Module } from '@nestjs/common';
import { QuoteResolver } from './quote.resolver';

@Module({ providers: [QuoteResolver] })
export class PricingModule {}
