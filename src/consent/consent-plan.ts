import type { ConsentReplyKind } from '../persistence/consent-reply.repository';
import type { NewConsentRecord } from '../persistence/consent.repository';
import type { ClaimedInbound } from '../persistence/inbound-message.repository';
import { classifyInbound, ConsentKeywords, InboundIntent } from './consent-keywords';

/** An account's consent settings with defaults applied. */
export interface EffectiveConsentSettings {
  keywords: ConsentKeywords;
  optOutReply: string | null;
  optInReply: string | null;
  helpReply: string | null;
}

/** Who an inbound message concerns: the attributed accounts (with the campaign it answered), or none. */
export interface InboundTarget {
  accountId: string;
  campaignId: string | null;
  /** False when nobody could be attributed and the opt-out/opt-in is applied broadly: no reply then. */
  attributed: boolean;
}

export interface PlannedReply {
  accountId: string;
  phone: string;
  src: string;
  kind: ConsentReplyKind;
  text: string;
  inboundId: string;
}

export interface ConsentPlan {
  /** Final state per (account, number) after the pass: suppress or lift. */
  suppress: Array<{ accountId: string; phone: string; campaignId: string | null; reason: string }>;
  lift: Array<{ accountId: string; phone: string }>;
  records: NewConsentRecord[];
  /**
   * Candidates: an opt-out confirmation per (account, number), to keep only where this pass created
   * the suppression; then onePerNumber.
   */
  replies: PlannedReply[];
  outcomes: Array<{ id: string; outcome: string }>;
}

/**
 * Decides what a batch of inbound messages does, in arrival order: every opt-out and opt-in is
 * recorded; the last one per (account, number) sets the suppression; at most one reply per
 * number per pass. Pure: the processor loads the inputs and applies the plan.
 */
export function planConsent(
  messages: ClaimedInbound[],
  targetsOf: (message: ClaimedInbound) => InboundTarget[],
  settingsOf: (accountId: string) => EffectiveConsentSettings,
): ConsentPlan {
  const finalState = new Map<
    string,
    { accountId: string; phone: string; intent: InboundIntent; campaignId: string | null; text: string }
  >();
  const records: NewConsentRecord[] = [];
  const replies = new Map<string, PlannedReply>();
  const outcomes: ConsentPlan['outcomes'] = [];
  for (const message of messages) {
    const targets = targetsOf(message);
    const intents = new Set<InboundIntent>();
    for (const target of targets) {
      const settings = settingsOf(target.accountId);
      const intent = classifyInbound(message.text, settings.keywords);
      intents.add(intent);
      const key = `${target.accountId}|${message.from}`;
      if (intent === 'OPT_OUT' || intent === 'OPT_IN') {
        finalState.set(key, {
          accountId: target.accountId,
          phone: message.from,
          intent,
          campaignId: target.campaignId,
          text: message.text,
        });
        records.push({
          accountId: target.accountId,
          phone: message.from,
          action: intent,
          source: 'INBOUND_KEYWORD',
          campaignId: target.campaignId,
          messageUuid: message.messageUuid,
          text: message.text.slice(0, 160),
        });
      }
      const reply = target.attributed ? replyFor(intent, settings) : null;
      // Confirmations are candidates per account (only one whose suppression is new is sent, see
      // onePerNumber); any other reply is one per number per pass.
      const replyKey = reply?.kind === 'OPT_OUT_CONFIRMATION' ? key : message.from;
      if (reply && !replies.has(replyKey)) {
        replies.set(replyKey, {
          accountId: target.accountId,
          phone: message.from,
          src: message.to,
          kind: reply.kind,
          text: reply.text,
          inboundId: message.id,
        });
      }
    }
    outcomes.push({ id: message.id, outcome: outcomeOf(targets, intents) });
  }
  const states = [...finalState.values()];
  return {
    suppress: states
      .filter((s) => s.intent === 'OPT_OUT')
      .map((s) => ({
        accountId: s.accountId,
        phone: s.phone,
        campaignId: s.campaignId,
        reason: `opt-out: "${s.text.trim().slice(0, 40)}" from recipient`,
      })),
    lift: states.filter((s) => s.intent === 'OPT_IN').map((s) => ({ accountId: s.accountId, phone: s.phone })),
    records,
    replies: [...replies.values()].filter((r) => {
      // A confirmation that the final state contradicts (STOP then START in one pass) is not sent.
      const state = finalState.get(`${r.accountId}|${r.phone}`);
      return (
        r.kind === 'HELP' || state === undefined || (r.kind === 'OPT_OUT_CONFIRMATION') === (state.intent === 'OPT_OUT')
      );
    }),
    outcomes,
  };
}

/** One reply per number: an opt-out confirmation first, else the first planned. */
export function onePerNumber(replies: PlannedReply[]): PlannedReply[] {
  const chosen = new Map<string, PlannedReply>();
  for (const reply of replies) {
    const current = chosen.get(reply.phone);
    if (!current || (reply.kind === 'OPT_OUT_CONFIRMATION' && current.kind !== 'OPT_OUT_CONFIRMATION')) {
      chosen.set(reply.phone, reply);
    }
  }
  return [...chosen.values()];
}

function replyFor(
  intent: InboundIntent,
  settings: EffectiveConsentSettings,
): { kind: ConsentReplyKind; text: string } | null {
  switch (intent) {
    case 'OPT_OUT':
      return settings.optOutReply ? { kind: 'OPT_OUT_CONFIRMATION', text: settings.optOutReply } : null;
    case 'OPT_IN':
      return settings.optInReply ? { kind: 'OPT_IN_CONFIRMATION', text: settings.optInReply } : null;
    case 'HELP':
      return settings.helpReply ? { kind: 'HELP', text: settings.helpReply } : null;
    case 'OTHER':
      return null;
  }
}

function outcomeOf(targets: InboundTarget[], intents: Set<InboundIntent>): string {
  if (targets.length === 0) {
    return 'UNATTRIBUTED';
  }
  for (const intent of ['OPT_OUT', 'OPT_IN', 'HELP'] as const) {
    if (intents.has(intent)) {
      return intent;
    }
  }
  return 'OTHER';
}
