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
  finals: 200,
  failures: 0,
  optOuts: 0,
  topErrorCodes: [],
  ...over,
});

describe('brakeReason', () => {
  it('should trip above the failure rate, naming the country, the rate and the top codes', () => {
    const reason = brakeReason(
      outcomes({
        failures: 120,
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
      'brake: IN: 60 % failed or undelivered (threshold 20 %), top error codes 300 ×50, 50 ×40, 90 ×20 over the last 200 final reports',
    );
  });

  it('should trip above the opt-out rate', () => {
    expect(brakeReason(outcomes({ optOuts: 5 }), thresholds)).toBe(
      'brake: IN: 2.5 % opted out (threshold 2.0 %) over the last 200 final reports',
    );
  });

  it('should not trip at the threshold, below it, on too few reports, or when disabled', () => {
    expect(brakeReason(outcomes({ failures: 40, optOuts: 4 }), thresholds)).toBeNull();
    expect(brakeReason(outcomes({ finals: 49, failures: 49 }), thresholds)).toBeNull();
    expect(brakeReason(outcomes({ failures: 200 }), { ...thresholds, enabled: false })).toBeNull();
  });
});

describe('brakeThresholdsFor', () => {
  const none = { windowReports: null, minReports: null, failureRate: null, optOutRate: null };

  it('should take the service thresholds for an account that set none', () => {
    expect(brakeThresholdsFor(thresholds, null)).toBe(thresholds);
    expect(brakeThresholdsFor(thresholds, none)).toEqual(thresholds);
  });

  it("should take each of the account's own thresholds over the service's", () => {
    expect(brakeThresholdsFor(thresholds, { ...none, failureRate: 0.05 })).toEqual({ ...thresholds, failureRate: 0.05 });
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
    const tenPercent = outcomes({ finals: 100, failures: 10 });
    expect(brakeReason(tenPercent, thresholds)).toBeNull();
    expect(brakeReason(tenPercent, brakeThresholdsFor(thresholds, { ...none, failureRate: 0.05 }))).toMatch(
      /^brake: IN: 10 % failed or undelivered \(threshold 5\.0 %\)/,
    );
  });
});
