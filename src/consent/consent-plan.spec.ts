import type { ClaimedInbound } from '../persistence/inbound-message.repository';
import { DEFAULT_CONSENT_KEYWORDS } from './consent-keywords';
import { EffectiveConsentSettings, InboundTarget, onePerNumber, planConsent } from './consent-plan';

const SETTINGS: EffectiveConsentSettings = {
  keywords: DEFAULT_CONSENT_KEYWORDS,
  optOutReply: 'unsubscribed',
  optInReply: 'welcome back',
  helpReply: 'reply STOP to stop',
};

function inbound(id: number, from: string, text: string): ClaimedInbound {
  return { id: String(id), messageUuid: `uuid-${id}`, from, to: '14155550100', text };
}

const A: InboundTarget = { accountId: 'a', campaignId: 'c1', attributed: true };
const B: InboundTarget = { accountId: 'b', campaignId: 'c2', attributed: true };

describe('planConsent', () => {
  it('should suppress, record and confirm an opt-out for every attributed account, with one reply per number', () => {
    const plan = planConsent(
      [inbound(1, '+1', 'Stop')],
      () => [A, B],
      () => SETTINGS,
    );
    expect(plan.suppress).toEqual([
      { accountId: 'a', phone: '+1', campaignId: 'c1', reason: 'opt-out: "Stop" from recipient' },
      { accountId: 'b', phone: '+1', campaignId: 'c2', reason: 'opt-out: "Stop" from recipient' },
    ]);
    expect(plan.records.map((r) => [r.accountId, r.action, r.source, r.messageUuid])).toEqual([
      ['a', 'OPT_OUT', 'INBOUND_KEYWORD', 'uuid-1'],
      ['b', 'OPT_OUT', 'INBOUND_KEYWORD', 'uuid-1'],
    ]);
    const confirmation = {
      phone: '+1',
      src: '14155550100',
      kind: 'OPT_OUT_CONFIRMATION',
      text: 'unsubscribed',
      inboundId: '1',
    };
    expect(plan.replies).toEqual([
      { accountId: 'a', ...confirmation },
      { accountId: 'b', ...confirmation },
    ]);
    // Where only b's suppression is new, b's confirmation is the one sent.
    expect(onePerNumber(plan.replies.filter((r) => r.accountId === 'b'))).toEqual([
      { accountId: 'b', ...confirmation },
    ]);
    expect(onePerNumber(plan.replies)).toHaveLength(1);
    expect(plan.outcomes).toEqual([{ id: '1', outcome: 'OPT_OUT' }]);
  });

  it('should let the last of STOP and START decide, record both and confirm only the final state', () => {
    const plan = planConsent(
      [inbound(1, '+1', 'STOP'), inbound(2, '+1', 'START')],
      () => [A],
      () => SETTINGS,
    );
    expect(plan.suppress).toEqual([]);
    expect(plan.lift).toEqual([{ accountId: 'a', phone: '+1' }]);
    expect(plan.records.map((r) => r.action)).toEqual(['OPT_OUT', 'OPT_IN']);
    expect(plan.replies.map((r) => r.kind)).toEqual(['OPT_IN_CONFIRMATION']);
  });

  it('should answer HELP once per number and ignore free text', () => {
    const plan = planConsent(
      [inbound(1, '+1', 'HELP'), inbound(2, '+1', 'info'), inbound(3, '+2', 'who is this?')],
      () => [A],
      () => SETTINGS,
    );
    expect(plan.replies.map((r) => [r.phone, r.kind])).toEqual([['+1', 'HELP']]);
    expect(plan.records).toEqual([]);
    expect(plan.outcomes.map((o) => o.outcome)).toEqual(['HELP', 'HELP', 'OTHER']);
  });

  it('should apply an unattributed opt-out without replying, and log unattributed text', () => {
    const broad: InboundTarget = { accountId: 'a', campaignId: null, attributed: false };
    const plan = planConsent(
      [inbound(1, '+1', 'STOP'), inbound(2, '+2', 'hello')],
      (m) => (m.text === 'STOP' ? [broad] : []),
      () => SETTINGS,
    );
    expect(plan.suppress).toHaveLength(1);
    expect(plan.replies).toEqual([]);
    expect(plan.outcomes.map((o) => o.outcome)).toEqual(['OPT_OUT', 'UNATTRIBUTED']);
  });

  it('should send no reply of a kind the account left unset', () => {
    const silent = { ...SETTINGS, optOutReply: null };
    expect(
      planConsent(
        [inbound(1, '+1', 'STOP')],
        () => [A],
        () => silent,
      ).replies,
    ).toEqual([]);
  });
});
