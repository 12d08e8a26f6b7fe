import { Module } from '@nestjs/common';
import { SmsGatewayModule } from '../sms-gateway/sms-gateway.module';
import { PacingLedger } from './pacing-ledger';
import { PacingPlan } from './pacing-plan';
import { ProviderApiBudget } from './provider-api-budget';

/**
 * The provider account's shared limits (pacing lanes, API token buckets, kept in PostgreSQL):
 * used by the dispatcher and by whatever else reads from Plivo (the overdue-report poller).
 */
@Module({
  imports: [SmsGatewayModule],
  providers: [PacingPlan, PacingLedger, ProviderApiBudget],
  exports: [PacingPlan, PacingLedger, ProviderApiBudget],
})
export class ProviderPacingModule {}
