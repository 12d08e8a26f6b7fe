import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config.service';
import { CampaignEvents } from '../domain/campaign-events';
import { BrakeRepository } from '../persistence/brake.repository';
import { brakeReason, brakeThresholdsFor } from './brake-rule';

// Plivo error 200, "the recipient opted out" (isOptOutErrorCode in the gateway's status mapper).
export const OPT_OUT_ERROR_CODES = ['200'];
// A campaign is checked at most this often after report passes (they can run every 50 ms): the
// rates move slowly, and each check reads up to BRAKE_WINDOW_REPORTS rows per status and country.
const CHECK_INTERVAL_MS = 500;
const CHECKED_KEPT = 10_000;

/**
 * The automatic brake: after report application (and after any other opt-out signal), each
 * campaign's countries with messages still waiting are checked against BRAKE_* thresholds over
 * their rolling windows of sends and receipts (the campaign's account's own thresholds where it set them,
 * AccountSettings.brake*); one that passes them is stopped (src/brake/brake-rule.ts
 * words the reason). resumeCampaign releases it.
 */
@Injectable()
export class BrakeService implements OnModuleDestroy {
  private readonly logger = new Logger(BrakeService.name);
  private readonly checkedAt = new Map<string, number>();
  // Campaigns skipped by the interval: checked when it ends, so the last reports always count.
  private readonly skipped = new Set<string>();
  private trailing?: NodeJS.Timeout;

  constructor(
    private readonly brakes: BrakeRepository,
    private readonly config: AppConfig,
    private readonly events: CampaignEvents,
  ) {}

  /** After a report pass: checks those of these campaigns not checked in the last CHECK_INTERVAL_MS. */
  async afterReports(campaignIds: string[]): Promise<string[]> {
    const now = Date.now();
    const due = campaignIds.filter((id) => now - (this.checkedAt.get(id) ?? 0) >= CHECK_INTERVAL_MS);
    if (this.checkedAt.size > CHECKED_KEPT) {
      this.checkedAt.clear();
    }
    due.forEach((id) => {
      this.checkedAt.set(id, now);
      this.skipped.delete(id);
    });
    campaignIds.filter((id) => !due.includes(id)).forEach((id) => this.skipped.add(id));
    if (this.skipped.size > 0 && !this.trailing) {
      this.trailing = setTimeout(() => {
        this.trailing = undefined;
        const later = [...this.skipped];
        this.skipped.clear();
        this.afterReports(later).catch((error: unknown) => this.logger.warn(`Brake check failed: ${String(error)}`));
      }, CHECK_INTERVAL_MS);
      this.trailing.unref();
    }
    return this.evaluate(due);
  }

  onModuleDestroy(): void {
    clearTimeout(this.trailing);
    this.trailing = undefined;
    this.skipped.clear();
  }

  /** Checks these campaigns now; returns those whose brake tripped. */
  async evaluate(campaignIds: string[]): Promise<string[]> {
    const thresholds = this.config.brake;
    if (!thresholds.enabled || campaignIds.length === 0) {
      return [];
    }
    const outcomes = await this.brakes.recentOutcomes(campaignIds, thresholds.windowReports, OPT_OUT_ERROR_CODES);
    const tripped = new Set<string>();
    for (const country of outcomes) {
      // The account's own thresholds came with the outcomes; each unset one is the service's.
      const reason = brakeReason(country, brakeThresholdsFor(thresholds, country.accountThresholds));
      if (!reason || tripped.has(country.campaignId)) {
        continue;
      }
      if (await this.brakes.trip(country.campaignId, country.country, reason, thresholds.scope)) {
        tripped.add(country.campaignId);
        this.logger.warn({ campaignId: country.campaignId, country: country.country, scope: thresholds.scope }, reason);
      }
    }
    if (tripped.size > 0) {
      this.events.campaignsChanged([...tripped]);
    }
    return [...tripped];
  }

  /**
   * The hook for opt-outs that arrive outside delivery reports (an inbound STOP): counts each
   * against the campaign's message to that number, then checks those campaigns.
   */
  async recordOptOuts(optOuts: Array<{ campaignId: string; to: string }>): Promise<void> {
    const campaignIds = await this.brakes.markOptedOut(optOuts);
    await this.evaluate(campaignIds);
  }

  /** resumeCampaign: releases every tripped brake of the campaign; `ignore` keeps it from tripping again. */
  release(campaignId: string, ignore: boolean): Promise<number> {
    return this.brakes.release(campaignId, ignore);
  }
}
