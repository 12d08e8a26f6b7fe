import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { IdleBackoff } from '../common/loops/idle-backoff';
import { WakeableLoop } from '../common/loops/wakeable-loop';
import { AppConfig } from '../config/app-config.service';
import { CampaignEvents } from '../domain/campaign-events';
import type { Attribution, ConsentSettingsRow } from '../persistence/consent.repository';
import { ConsentTransactor, ConsentUnitOfWork } from '../persistence/consent-transactor';
import type { ClaimedInbound } from '../persistence/inbound-message.repository';
import { ERASED_PREFIX } from '../persistence/suppression.repository';
import { classifyInbound, DEFAULT_CONSENT_KEYWORDS } from './consent-keywords';
import { ConsentPlan, EffectiveConsentSettings, InboundTarget, onePerNumber, planConsent } from './consent-plan';
import { ConsentReplySender } from './consent-reply-sender.service';
import { RecipientHasher } from './recipient-hasher';

const PASS_SIZE = 500;
const ERROR_PAUSE_MS = 1000;
// How long passes find nothing before the loop slows to CONSENT_PROCESS_IDLE_INTERVAL_MS.
const IDLE_AFTER_MS = 5_000;

interface PassResult {
  processed: number;
  changedCampaigns: string[];
  replies: number;
}

/**
 * Applies stored inbound messages in batches, one transaction per pass: claim (SKIP LOCKED),
 * attribute to accounts, suppress or lift, turn waiting messages of running campaigns SUPPRESSED,
 * append consent records, store replies, mark processed. Woken by the webhook; also polls.
 */
@Injectable()
export class ConsentProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ConsentProcessor.name);
  private readonly loop: WakeableLoop;
  private readonly idle: IdleBackoff;

  constructor(
    private readonly transactor: ConsentTransactor,
    private readonly events: CampaignEvents,
    private readonly replies: ConsentReplySender,
    private readonly hasher: RecipientHasher,
    private readonly config: AppConfig,
  ) {
    this.idle = new IdleBackoff({
      busyIntervalMs: config.consent.processIntervalMs,
      idleIntervalMs: config.consent.processIdleIntervalMs,
      idleAfterMs: IDLE_AFTER_MS,
    });
    this.loop = new WakeableLoop({
      pass: async () => {
        this.idle.passFound(await this.processAll());
        return false;
      },
      intervalMs: () => this.idle.intervalMs(),
      errorPauseMs: ERROR_PAUSE_MS,
      onError: (error) => this.logger.error(`Inbound processing failed: ${String(error)}`),
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.stop();
  }

  wake(): void {
    this.loop.wake();
  }

  /** Processes everything stored so far (tests, and the loop). */
  async processAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const result = await this.pass();
      total += result.processed;
      if (result.processed < PASS_SIZE) {
        return total;
      }
    }
  }

  private async pass(): Promise<PassResult> {
    const result = await this.transactor.run((tx) => this.passIn(tx));
    if (result.changedCampaigns.length > 0) {
      this.events.campaignsChanged(result.changedCampaigns);
    }
    if (result.replies > 0) {
      this.replies.wake();
    }
    return result;
  }

  private async passIn(tx: ConsentUnitOfWork): Promise<PassResult> {
    const claimed = await tx.inbound.claimUnprocessed(PASS_SIZE);
    if (claimed.length === 0) {
      return { processed: 0, changedCampaigns: [], replies: 0 };
    }
    const { attributionDays, replyWindowMs } = this.config.consent;
    const attributions = await tx.consent.attribute(
      claimed.map((m) => ({ from: m.from, to: m.to })),
      attributionDays,
    );
    const targetsOf = await this.targets(tx, claimed, attributions);
    const accountIds = [...new Set(claimed.flatMap((m) => targetsOf(m).map((t) => t.accountId)))];
    const settings = new Map((await tx.consent.settingsFor(accountIds)).map((s) => [s.accountId, s]));
    const plan = planConsent(claimed, targetsOf, (accountId) => this.effective(settings.get(accountId)));

    const added = await tx.suppressions.addMany(
      plan.suppress.map((s) => ({ ...s, source: 'INBOUND_KEYWORD' as const })),
    );
    await tx.suppressions.removeMany(this.withErasedForms(plan.lift));
    // Messages first, evidence after: a consent record's time is after every message it caught.
    const { campaignIds: changed } = await tx.consent.suppressWaitingMessages(plan.suppress);
    await tx.consent.record(plan.records);
    const replies = await tx.replies.enqueue(this.allowedReplies(plan, added), replyWindowMs);
    await tx.inbound.markProcessed(plan.outcomes);
    const completed = await tx.campaigns.completeFinished(changed);
    if (plan.suppress.length + plan.lift.length > 0) {
      this.logger.log(
        {
          optOuts: plan.suppress.length,
          optIns: plan.lift.length,
          campaignsChanged: changed.length,
          completed: completed.length,
        },
        'Consent changes applied',
      );
    }
    return { processed: claimed.length, changedCampaigns: changed, replies };
  }

  /**
   * Attributed messages concern the accounts that sent to the number; an unattributed opt-out is
   * applied to every account (the senders are shared), an unattributed opt-in lifts the number
   * wherever it is suppressed; anything else unattributed only stays in the log.
   */
  private async targets(
    tx: ConsentUnitOfWork,
    claimed: ClaimedInbound[],
    attributions: Attribution[],
  ): Promise<(message: ClaimedInbound) => InboundTarget[]> {
    const byPair = new Map<string, InboundTarget[]>();
    for (const a of attributions) {
      const key = `${a.from}|${a.to}`;
      byPair.set(key, [
        ...(byPair.get(key) ?? []),
        { accountId: a.accountId, campaignId: a.campaignId, attributed: true },
      ]);
    }
    const orphans = claimed.filter((m) => !byPair.has(`${m.from}|${m.to}`));
    const orphanIntent = new Map(orphans.map((m) => [m.id, classifyInbound(m.text, DEFAULT_CONSENT_KEYWORDS)]));
    const everyone = orphans.some((m) => orphanIntent.get(m.id) === 'OPT_OUT') ? await tx.consent.allAccountIds() : [];
    const optInPhones = orphans.filter((m) => orphanIntent.get(m.id) === 'OPT_IN').map((m) => m.from);
    const suppressing = await tx.consent.accountsSuppressing(optInPhones);
    return (message) => {
      const attributed = byPair.get(`${message.from}|${message.to}`);
      if (attributed) {
        return attributed;
      }
      switch (orphanIntent.get(message.id)) {
        case 'OPT_OUT':
          return everyone.map((accountId) => ({ accountId, campaignId: null, attributed: false }));
        case 'OPT_IN':
          return suppressing
            .filter((s) => s.phone === message.from)
            .map((s) => ({ accountId: s.accountId, campaignId: null, attributed: false }));
        case 'HELP':
        case 'OTHER':
        case undefined:
          return [];
      }
    };
  }

  private effective(row: ConsentSettingsRow | undefined): EffectiveConsentSettings {
    const defaults = this.config.consent;
    if (!row) {
      return {
        keywords: DEFAULT_CONSENT_KEYWORDS,
        optOutReply: defaults.optOutReply,
        optInReply: defaults.optInReply,
        helpReply: defaults.helpReply,
      };
    }
    return {
      keywords: { optOut: row.optOutKeywords, optIn: row.optInKeywords, help: row.helpKeywords },
      optOutReply: row.optOutReply,
      optInReply: row.optInReply,
      helpReply: row.helpReply,
    };
  }

  /** An opt-in also lifts the hashed suppression kept after an erasure of the number. */
  private withErasedForms(lift: ConsentPlan['lift']): ConsentPlan['lift'] {
    if (!this.hasher.configured) {
      return lift;
    }
    return lift.flatMap((l) => [l, { accountId: l.accountId, phone: ERASED_PREFIX + this.hasher.hash(l.phone) }]);
  }

  /** The single opt-out confirmation goes only with the opt-out that created the suppression. */
  private allowedReplies(plan: ConsentPlan, added: Array<{ accountId: string; phone: string }>) {
    const created = new Set(added.map((a) => `${a.accountId}|${a.phone}`));
    return onePerNumber(
      plan.replies.filter((r) => r.kind !== 'OPT_OUT_CONFIRMATION' || created.has(`${r.accountId}|${r.phone}`)),
    );
  }
}
