import { Module } from '@nestjs/common';
import { SmsGatewayModule } from '../sms-gateway/sms-gateway.module';
import { AccountSmsGateways } from './account-sms-gateways';
import { PacingLedger } from './pacing-ledger';
import { PacingPlan } from './pacing-plan';
import { ProviderApiBudget } from './provider-api-budget';

/**
 * The provider account's shared limits (pacing lanes, API token buckets, kept in PostgreSQL) and
 * each account's gateway (its own Plivo sub-account or the service's): used by the dispatcher and
 * by whatever else reads from Plivo (the overdue-report poller).
 */
@Module({
  imports: [SmsGatewayModule],
  providers: [PacingPlan, PacingLedger, ProviderApiBudget, AccountSmsGateways],
  exports: [PacingPlan, PacingLedger, ProviderApiBudget, AccountSmsGateways],
})
export class ProviderPacingModule {}
