import { brakeReason, BrakeThresholds, brakeThresholdsFor, CountryOutcomes } from './brake-rule';

const thresholds: BrakeThresholds = {
  enabled: true,
  scope: 'country',
  windowReports: 200,
  minReports: 50,
  failureRate: 0.2,
  optOutRate: 0.02,
};
const outcomes = (over: Partial<CountryOutcomes>): CountryOutcomes => ({
  campaignId: 'c1',
  country: 'IN',
  sent: { count: 200, failures: 0, optOuts: 0 },
  receipts: { count: 200, failures: 0, optOuts: 0 },
  topErrorCodes: [],
  ...over,
});
const sent = (failures: number, optOuts = 0, count = 200) => ({ count, failures, optOuts });

describe('brakeReason', () => {
  it('should trip above the failure rate, naming the country, each window and the top codes', () => {
    const reason = brakeReason(
      outcomes({
        sent: sent(120),
        topErrorCodes: [
          { code: '300', count: 50 },
          { code: '50', count: 40 },
          { code: '90', count: 20 },
          { code: '10', count: 10 },
        ],
      }),
      thresholds,
    );
    expect(reason).toBe(
      'brake: IN: 60 % failed or undelivered (threshold 20 %): 60 % of the last 200 sent failed, ' +
        '0.0 % of the last 200 receipts undelivered, top error codes 300 ×50, 50 ×40, 90 ×20',
    );
  });

  it('should count the undelivered share of what was not failed at send: 10 % and 20 % are 28 %', () => {
    expect(brakeReason(outcomes({ sent: sent(20), receipts: sent(40) }), thresholds)).toMatch(
      /^brake: IN: 28 % failed or undelivered \(threshold 20 %\): 10 % of the last 200 sent failed, 20 % of the last 200 receipts undelivered$/,
    );
    // 10 % and 11 % are 19.9 %: under.
    expect(brakeReason(outcomes({ sent: sent(20), receipts: sent(22) }), thresholds)).toBeNull();
  });

  it('should trip above the opt-out rate, combined the same way', () => {
    expect(brakeReason(outcomes({ sent: sent(0, 5) }), thresholds)).toBe(
      'brake: IN: 2.5 % opted out (threshold 2.0 %): 2.5 % of the last 200 sent opted out, ' +
        '0.0 % of the last 200 receipts opted out',
    );
    // 1 % at send, and 1.5 % of the receipts of the rest: 2.5 %.
    expect(brakeReason(outcomes({ sent: sent(0, 2), receipts: sent(2, 3) }), thresholds)).toMatch(
      /^brake: IN: 2\.5 % opted out \(threshold 2\.0 %\): 1\.0 % of the last 200 sent opted out, 1\.5 % of the last 200 receipts opted out$/,
    );
  });

  it('should leave the receipts out until there are minReports of them', () => {
    const fewReceipts = { count: 49, failures: 49, optOuts: 49 };
    expect(brakeReason(outcomes({ receipts: fewReceipts }), thresholds)).toBeNull();
    expect(brakeReason(outcomes({ sent: sent(60), receipts: fewReceipts }), thresholds)).toBe(
      'brake: IN: 30 % failed or undelivered (threshold 20 %): 30 % of the last 200 sent failed, ' +
        'receipts not counted yet (49 of 50)',
    );
  });

  it('should not trip at the threshold, below it, on too few sends, or when disabled', () => {
    expect(brakeReason(outcomes({ sent: sent(40, 4) }), thresholds)).toBeNull();
    expect(brakeReason(outcomes({ sent: sent(49, 49, 49), receipts: sent(49, 0, 49) }), thresholds)).toBeNull();
    expect(brakeReason(outcomes({ sent: sent(200) }), { ...thresholds, enabled: false })).toBeNull();
  });
});

describe('brakeThresholdsFor', () => {
  const none = { windowReports: null, minReports: null, failureRate: null, optOutRate: null };

  it('should take the service thresholds for an account that set none', () => {
    expect(brakeThresholdsFor(thresholds, null)).toBe(thresholds);
    expect(brakeThresholdsFor(thresholds, none)).toEqual(thresholds);
  });

  it("should take each of the account's own thresholds over the service's", () => {
    expect(brakeThresholdsFor(thresholds, { ...none, failureRate: 0.05 })).toEqual({
      ...thresholds,
      failureRate: 0.05,
    });
    expect(
      brakeThresholdsFor(thresholds, { windowReports: 100, minReports: 20, failureRate: 0.5, optOutRate: 0.1 }),
    ).toEqual({ ...thresholds, windowReports: 100, minReports: 20, failureRate: 0.5, optOutRate: 0.1 });
  });

  it("should cap the minimum at the account's window, and keep enabled and scope service-wide", () => {
    expect(brakeThresholdsFor({ ...thresholds, scope: 'campaign' }, { ...none, windowReports: 30 })).toEqual({
      ...thresholds,
      scope: 'campaign',
      windowReports: 30,
      minReports: 30,
    });
  });

  it('should trip on outcomes the service threshold lets pass when the account is stricter', () => {
    const tenPercent = outcomes({ sent: sent(10, 0, 100) });
    expect(brakeReason(tenPercent, thresholds)).toBeNull();
    expect(brakeReason(tenPercent, brakeThresholdsFor(thresholds, { ...none, failureRate: 0.05 }))).toMatch(
      /^brake: IN: 10 % failed or undelivered \(threshold 5\.0 %\)/,
    );
  });
});
