import Decimal from 'decimal.js';
import { CampaignSpend, overBudgetReason, UncostedMix } from './budget-rule';

// The outside probe's campaign: 40 German numbers at 0.087 and 300 Indian ones at 0.0033, estimate 4.47.
const PRICES = new Map([
  ['DE', new Decimal('0.087')],
  ['IN', new Decimal('0.0033')],
]);
const spend = (over: Partial<CampaignSpend>): CampaignSpend => ({
  maxCost: new Decimal('4.47'),
  estimatedCost: new Decimal('4.47'),
  actualCost: new Decimal(0),
  total: 340,
  suppressed: 0,
  uncosted: 340,
  ...over,
});
const mix = (over: Partial<UncostedMix>): UncostedMix => ({
  waiting: 0,
  waitingBatches: [],
  inFlight: 0,
  inFlightBatches: [],
  pricePerMessage: PRICES,
  ...over,
});

describe(overBudgetReason, () => {
  it('should let a campaign whose estimate equals its budget start (4.47 / 340 x 340 is 4.47)', () => {
    const waitingAll = mix({
      waiting: 340,
      waitingBatches: [
        { country: 'DE', recipients: 40 },
        { country: 'IN', recipients: 300 },
      ],
    });
    expect(overBudgetReason(spend({}), waitingAll)).toBeNull();
    expect(overBudgetReason(spend({}))).toBeNull();
  });

  it('should price each waiting and in-flight message at its own country, whichever country went first', () => {
    // Germany sent, one report in (0.087), 39 at the provider; India waiting: 0.087 + 39 x 0.087 + 300 x 0.0033.
    const germanyFirst = mix({
      waiting: 300,
      waitingBatches: [{ country: 'IN', recipients: 300 }],
      inFlight: 39,
      inFlightBatches: [{ country: 'DE', recipients: 40 }],
    });
    const reported = { actualCost: new Decimal('0.087'), uncosted: 339, maxCost: new Decimal('4.5') };
    expect(overBudgetReason(spend(reported), germanyFirst)).toBeNull();
    // The campaign average (0.013147…) read 4.54385 here, and paused a campaign that fitted.
    expect(overBudgetReason(spend(reported))).toMatch(/^budget: projected cost 4\.54385 /);

    // India sent and reported (0.99), Germany waiting: 0.99 + 40 x 0.087 = 4.47, over a budget of 4.4.
    const indiaFirst = mix({ waiting: 40, waitingBatches: [{ country: 'DE', recipients: 40 }] });
    expect(
      overBudgetReason(
        spend({ actualCost: new Decimal('0.99'), uncosted: 40, maxCost: new Decimal('4.4') }),
        indiaFirst,
      ),
    ).toBe('budget: projected cost 4.47000 (reported 0.99000 + estimate for 40 messages) exceeds maxCost 4.40000');
  });

  it('should take the campaign average for batches of a country it has no estimate for', () => {
    const unknown = mix({ waiting: 10, waitingBatches: [{ country: null, recipients: 10 }] });
    // 4.47 / 340 = 0.013147…, x 10 = 0.13147.
    expect(overBudgetReason(spend({ uncosted: 10, maxCost: new Decimal('0.13') }), unknown)).toMatch(
      /^budget: projected cost 0\.13147 /,
    );
    expect(overBudgetReason(spend({ uncosted: 10, maxCost: new Decimal('0.1315') }), unknown)).toBeNull();
  });

  it('should not pause without a budget', () => {
    expect(overBudgetReason(spend({ maxCost: null, actualCost: new Decimal(100) }))).toBeNull();
  });
});
