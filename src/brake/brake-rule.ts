export interface BrakeThresholds {
  enabled: boolean;
  /** What a tripped brake holds: the country's waiting messages, or the whole campaign. */
  scope: 'country' | 'campaign';
  /** The rolling window: the last N final reports of the campaign in the country. */
  windowReports: number;
  /** No decision on fewer final reports than this. */
  minReports: number;
  /** Trips above this share of failed + undelivered. */
  failureRate: number;
  /** Trips above this share of opt-outs. */
  optOutRate: number;
}

/** An account's own thresholds (AccountSettings); null: the service's BRAKE_* value. */
export interface AccountBrakeThresholds {
  windowReports: number | null;
  minReports: number | null;
  failureRate: number | null;
  optOutRate: number | null;
}

/**
 * The thresholds for an account's campaigns: each of the account's own, else the service's.
 * `enabled` and `scope` stay service-wide. A minimum above the window is the window (as for BRAKE_*).
 */
export function brakeThresholdsFor(
  service: BrakeThresholds,
  account: AccountBrakeThresholds | null | undefined,
): BrakeThresholds {
  if (!account) {
    return service;
  }
  const windowReports = account.windowReports ?? service.windowReports;
  return {
    enabled: service.enabled,
    scope: service.scope,
    windowReports,
    minReports: Math.min(account.minReports ?? service.minReports, windowReports),
    failureRate: account.failureRate ?? service.failureRate,
    optOutRate: account.optOutRate ?? service.optOutRate,
  };
}

/** A campaign's last final reports in one country (since its brake was last released). */
export interface CountryOutcomes {
  campaignId: string;
  country: string;
  /** The campaign's account's own thresholds, read in the same statement as the outcomes. */
  accountThresholds?: AccountBrakeThresholds | null;
  /** How many final reports were read (the window actually used): at most its windowReports. */
  finals: number;
  failures: number;
  optOuts: number;
  /** Error codes of the failures, most frequent first, with their counts. */
  topErrorCodes: Array<{ code: string; count: number }>;
}

const TOP_CODES_SHOWN = 3;

/**
 * Why the brake trips for these outcomes, or null: the failure or the opt-out rate over the window
 * is above its threshold, once the window holds at least `minReports` reports. The reason names
 * the country, the rate and the top error codes (it becomes the campaign's statusReason).
 */
export function brakeReason(outcomes: CountryOutcomes, thresholds: BrakeThresholds): string | null {
  if (!thresholds.enabled || outcomes.finals < thresholds.minReports) {
    return null;
  }
  const failureRate = outcomes.failures / outcomes.finals;
  const optOutRate = outcomes.optOuts / outcomes.finals;
  const over: string[] = [];
  if (failureRate > thresholds.failureRate) {
    const codes = outcomes.topErrorCodes
      .slice(0, TOP_CODES_SHOWN)
      .map((c) => `${c.code} ×${c.count}`)
      .join(', ');
    over.push(
      `${percent(failureRate)} failed or undelivered (threshold ${percent(thresholds.failureRate)})` +
        (codes ? `, top error codes ${codes}` : ''),
    );
  }
  if (optOutRate > thresholds.optOutRate) {
    over.push(`${percent(optOutRate)} opted out (threshold ${percent(thresholds.optOutRate)})`);
  }
  if (over.length === 0) {
    return null;
  }
  return `brake: ${outcomes.country}: ${over.join('; ')} over the last ${outcomes.finals} final reports`;
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(rate < 0.1 ? 1 : 0)} %`;
}
