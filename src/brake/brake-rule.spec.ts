import { brakeReason, BrakeThresholds, CountryOutcomes } from './brake-rule';

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
