import {
  describePlivoErrorCode,
  knownPlivoErrorCodes,
  normalizePlivoErrorCode,
} from '../sms-gateway/plivo-status.mapper';

/**
 * The error codes the service gives the messages it fails itself, before any report from the
 * provider: the message was not sent (as far as the service can tell), and costs nothing (amount 0).
 * All are FAILED, but for INVALID_NUMBER: REJECTED, a number the provider's answer listed as invalid.
 */
export enum SubmissionErrorCode {
  /** The provider refused the batch for good (a 4xx such as 400 "invalid phone numbers"). */
  REFUSED = 'submission_refused',
  /** The provider could not take the batch, and the retries ran out (attempts or age). */
  FAILED = 'submission_failed',
  /** The request's outcome was unknown, and reconciliation never proved the provider had it. */
  UNCONFIRMED = 'submission_unconfirmed',
  /** The provider accepted the batch but listed this number in its `invalid_number`. */
  INVALID_NUMBER = 'invalid_number',
}

const SUBMISSION_ERROR_MEANINGS: Record<SubmissionErrorCode, string> = {
  [SubmissionErrorCode.REFUSED]: 'not sent: the SMS provider refused the batch (e.g. invalid phone numbers)',
  [SubmissionErrorCode.FAILED]:
    'not sent: the SMS provider could not be reached or kept failing until the retries ran out',
  [SubmissionErrorCode.UNCONFIRMED]:
    'not sent: the SMS provider never confirmed it had the batch (no answer to the request), and it was not resent so as never to send twice',
  [SubmissionErrorCode.INVALID_NUMBER]:
    'not sent: the SMS provider called the number invalid when it accepted the batch (invalid_number)',
};

/**
 * What a message's error code means: the service's own codes, else Plivo's (an unknown code reads
 * "unknown error code <code>"); null for no error. For the `message.final` webhook.
 */
export function errorMeaning(code: string | null | undefined): string | null {
  const normalized = normalizePlivoErrorCode(code);
  if (normalized !== null && Object.hasOwn(SUBMISSION_ERROR_MEANINGS, normalized)) {
    return SUBMISSION_ERROR_MEANINGS[normalized as SubmissionErrorCode];
  }
  return describePlivoErrorCode(normalized)?.reason ?? null;
}

/** Every code errorMeaning knows, with its meaning (normalised codes). For exports, whose lines the database writes. */
export function knownErrorMeanings(): Array<{ code: string; meaning: string }> {
  return [
    ...Object.entries(SUBMISSION_ERROR_MEANINGS).map(([code, meaning]) => ({ code, meaning })),
    ...knownPlivoErrorCodes().map(({ code, reason }) => ({ code, meaning: reason })),
  ];
}
