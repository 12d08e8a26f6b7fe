import Decimal from 'decimal.js';
import { CampaignSpend, CountryRecipients, overBudgetReason, UncostedMix } from './budget-rule';

// The outside probe's campaign: 40 German numbers at 0.087 and 300 Indian ones at 0.0033, estimate 4.47.
const PRICES = new Map([
  ['DE', new Decimal('0.087')],
  ['IN', new Decimal('0.0033')],
]);
const GERMANY: CountryRecipients = { country: 'DE', recipients: 40 };
const INDIA: CountryRecipients = { country: 'IN', recipients: 300 };
const spend = (over: Partial<CampaignSpend>): CampaignSpend => ({
  maxCost: new Decimal('4.47'),
  estimatedCost: new Decimal('4.47'),
  actualCost: new Decimal(0),
  total: 340,
  suppressed: 0,
  uncosted: 340,
  waiting: 340,
  ...over,
});
const mix = (over: Partial<UncostedMix>): UncostedMix => ({
  waitingBatches: [],
  inFlightBatches: [],
  pricePerMessage: PRICES,
  ...over,
});

describe(overBudgetReason, () => {
  it('should let a campaign whose estimate equals its budget start (4.47 / 340 x 340 is 4.47)', () => {
    expect(overBudgetReason(spend({}), mix({ waitingBatches: [GERMANY, INDIA] }))).toBeNull();
    // At the campaign's average (a country without a price), the same: no 1e-19 over.
    expect(overBudgetReason(spend({}), mix({ pricePerMessage: new Map() }))).toBeNull();
  });

  it('should price each waiting and in-flight message at its own country, whichever country went first', () => {
    // Germany sent, one report in (0.087), 39 at the provider; India waiting: 0.087 + 39 x 0.087 + 300 x 0.0033.
    const reported = { actualCost: new Decimal('0.087'), uncosted: 339, waiting: 300, maxCost: new Decimal('4.5') };
    expect(overBudgetReason(spend(reported), mix({ waitingBatches: [INDIA], inFlightBatches: [GERMANY] }))).toBeNull();
    // The campaign's average (0.013147…), which every message was priced at before, reads 4.54385 here.
    expect(overBudgetReason(spend(reported), mix({ pricePerMessage: new Map() }))).toMatch(
      /^budget: projected cost 4\.54385 /,
    );

    // India sent and reported (0.99), Germany waiting: 0.99 + 40 x 0.087 = 4.47, over a budget of 4.4.
    const indiaFirst = spend({
      actualCost: new Decimal('0.99'),
      uncosted: 40,
      waiting: 40,
      maxCost: new Decimal('4.4'),
    });
    expect(overBudgetReason(indiaFirst, mix({ waitingBatches: [GERMANY] }))).toBe(
      'budget: projected cost 4.47000 (reported 0.99000 + estimate for 40 messages) exceeds maxCost 4.40000',
    );
  });

  it('should show maxCost with its own digits, so it never reads as the projected cost it is below', () => {
    const justBelow = spend({
      actualCost: new Decimal('0.99'),
      uncosted: 40,
      waiting: 40,
      maxCost: new Decimal('4.469999'),
    });
    expect(overBudgetReason(justBelow, mix({ waitingBatches: [GERMANY] }))).toBe(
      'budget: projected cost 4.47000 (reported 0.99000 + estimate for 40 messages) exceeds maxCost 4.469999',
    );
  });

  it('should take the campaign average for batches of a country it has no estimate for', () => {
    const unknown = mix({ waitingBatches: [{ country: null, recipients: 10 }] });
    // 4.47 / 340 = 0.013147…, x 10 = 0.13147.
    expect(overBudgetReason(spend({ uncosted: 10, waiting: 10, maxCost: new Decimal('0.13') }), unknown)).toMatch(
      /^budget: projected cost 0\.13147 /,
    );
    expect(overBudgetReason(spend({ uncosted: 10, waiting: 10, maxCost: new Decimal('0.1315') }), unknown)).toBeNull();
  });

  it('should not pause without a budget', () => {
    expect(overBudgetReason(spend({ maxCost: null, actualCost: new Decimal(100) }), mix({}))).toBeNull();
  });
});
