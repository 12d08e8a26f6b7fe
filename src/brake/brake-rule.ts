export interface BrakeThresholds {
  enabled: boolean;
  /** What a tripped brake holds: the country's waiting messages, or the whole campaign. */
  scope: 'country' | 'campaign';
  /** The rolling windows: the campaign's last N sends and last N receipts in the country. */
  windowReports: number;
  /** No decision on fewer known sends than this; receipts count once there are this many. */
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

/**
 * A campaign's newest outcomes in one country (since its brake was last released), in two windows,
 * because a message reports twice at different speeds: whether it went out (FAILED or SENT, within
 * seconds) and whether it arrived (DELIVERED or UNDELIVERED, when the receipt comes, seconds to hours
 * later). One window over both would hold the recent failures without the deliveries still due, and
 * read a 1 % failure rate as 25 % at 1,000 MPS with 5 s receipts.
 */
export interface CountryOutcomes {
  campaignId: string;
  country: string;
  /** The campaign's account's own thresholds, read in the same statement as the outcomes. */
  accountThresholds?: AccountBrakeThresholds | null;
  /** The newest messages whose send is known (SENT, FAILED or later): at most its windowReports. */
  sent: WindowCounts;
  /** The newest delivery receipts (DELIVERED, UNDELIVERED): at most its windowReports. */
  receipts: WindowCounts;
  /** Error codes of the failed sends and undelivered receipts counted, most frequent first. */
  topErrorCodes: Array<{ code: string; count: number }>;
}

export interface WindowCounts {
  count: number;
  /** sent: FAILED; receipts: UNDELIVERED. */
  failures: number;
  /** sent: error 200 at send, or marked by the STOP hook; receipts: error 200 in the receipt (not marked). */
  optOuts: number;
}

const TOP_CODES_SHOWN = 3;

/**
 * Why the brake trips for these outcomes, or null. No decision before `minReports` sends are known.
 * The rate of a failure (or opt-out) is its share at send, plus, of the rest, its share of the
 * receipts (f + (1 - f) * u), the receipts counting once there are `minReports` of them. The reason
 * names the country, each rate with its window, and the top error codes (it becomes the campaign's
 * statusReason).
 */
export function brakeReason(outcomes: CountryOutcomes, thresholds: BrakeThresholds): string | null {
  const { sent, receipts } = outcomes;
  if (!thresholds.enabled || sent.count < thresholds.minReports) {
    return null;
  }
  const receiptsCount = receipts.count >= thresholds.minReports;
  const failure = combined(sent.failures / sent.count, receiptsCount ? receipts.failures / receipts.count : 0);
  const optOut = combined(sent.optOuts / sent.count, receiptsCount ? receipts.optOuts / receipts.count : 0);
  const windows = (atSend: string, atReceipt: string, of: 'failures' | 'optOuts') =>
    `${percent(sent[of] / sent.count)} of the last ${sent.count} sent ${atSend}, ` +
    (receiptsCount
      ? `${percent(receipts[of] / receipts.count)} of the last ${receipts.count} receipts ${atReceipt}`
      : `receipts not counted yet (${receipts.count} of ${thresholds.minReports})`);
  const over: string[] = [];
  if (failure > thresholds.failureRate) {
    const codes = outcomes.topErrorCodes
      .slice(0, TOP_CODES_SHOWN)
      .map((c) => `${c.code} ×${c.count}`)
      .join(', ');
    over.push(
      `${percent(failure)} failed or undelivered (threshold ${percent(thresholds.failureRate)}): ` +
        windows('failed', 'undelivered', 'failures') +
        (codes ? `, top error codes ${codes}` : ''),
    );
  }
  if (optOut > thresholds.optOutRate) {
    over.push(
      `${percent(optOut)} opted out (threshold ${percent(thresholds.optOutRate)}): ` +
        windows('opted out', 'opted out', 'optOuts'),
    );
  }
  return over.length === 0 ? null : `brake: ${outcomes.country}: ${over.join('; ')}`;
}

/** A share at send, then a share of what was sent: 10 % failing at send and 20 % of receipts undelivered is 28 %. */
function combined(atSend: number, ofReceipts: number): number {
  return atSend + (1 - atSend) * ofReceipts;
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(rate < 0.1 ? 1 : 0)} %`;
}
