import { ForcedOutcome, OutcomeMix, OutcomeStatus } from './sandbox.options';
import { pickWeighted, Random } from './sandbox-random';

export interface PlannedOutcome {
  status: OutcomeStatus;
  errorCode: string | null;
}

// Real Plivo SMS error codes (plivo.md §B1) by the status they come with, weighted.
const CODES: Record<Exclude<OutcomeStatus, 'delivered'>, ReadonlyArray<readonly [string, number]>> = {
  // failed = never reached a carrier (not charged)
  failed: [
    ['300', 0.4],
    ['50', 0.3],
    ['90', 0.2],
    ['10', 0.1],
  ],
  undelivered: [
    ['80', 0.35],
    ['20', 0.2],
    ['50', 0.2],
    ['70', 0.1],
    ['200', 0.1],
    ['100', 0.05],
  ],
  rejected: [
    ['30', 0.6],
    ['100', 0.4],
  ],
};

export const MESSAGE_EXPIRED_CODE = '420';
export const GEO_BARRED_CODE = '450';
export const INSUFFICIENT_CREDIT_CODE = '900';

/** The final outcome of one message, decided when it is accepted. */
export function planOutcome(random: Random, mix: OutcomeMix, forced?: ForcedOutcome): PlannedOutcome {
  if (forced) {
    return {
      status: forced.status,
      errorCode: forced.status === 'delivered' ? null : (forced.errorCode ?? defaultCode(forced.status)),
    };
  }
  const status = pickWeighted(random, Object.entries(mix) as Array<[OutcomeStatus, number]>);
  if (status === 'delivered') {
    return { status, errorCode: null };
  }
  return { status, errorCode: pickWeighted(random, CODES[status]) };
}

function defaultCode(status: Exclude<OutcomeStatus, 'delivered'>): string {
  return CODES[status][0][0];
}
