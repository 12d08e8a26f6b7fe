import { Module } from '@nestjs/common';
import { ConsentModule } from '../consent/consent.module';
import { QuietHoursModule } from '../quiet-hours/quiet-hours.module';
import { RecipientListsModule } from '../recipient-lists/recipient-lists.module';
import { SmsGatewayModule } from '../sms-gateway/sms-gateway.module';
import { CampaignCostReportResolver } from './campaign-cost-report.resolver';
import { CostReportService } from './cost-report.service';
import { PriceCatalogService } from './price-catalog.service';
import { PricingService } from './pricing.service';
import { QuoteResolver } from './quote.resolver';

/** Segments, prices (cached), quotes and cost reports. PricingService is what the campaigns module uses. */
@Module({
  imports: [SmsGatewayModule, ConsentModule, RecipientListsModule, QuietHoursModule],
  providers: [PriceCatalogService, PricingService, CostReportService, QuoteResolver, CampaignCostReportResolver],
  exports: [PricingService, PriceCatalogService],
})
export class PricingModule {}
