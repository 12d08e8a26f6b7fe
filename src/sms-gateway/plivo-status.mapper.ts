import { ProviderMessageStatus } from './sms-gateway.types';

/** Plivo's SMS `Status` values (callbacks and `message_state`); `read` is WhatsApp only. */
export type PlivoMessageStatus = 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'rejected';

export type PlivoErrorClass = 'transient' | 'permanent' | 'config' | 'account' | 'opt-out';

export interface PlivoErrorCodeInfo {
  code: string;
  reason: string;
  class: PlivoErrorClass;
}

export interface MappedPlivoStatus {
  status: ProviderMessageStatus;
  /** Normalised (no leading zeros), and only for statuses that carry one; `null` otherwise. */
  errorCode: string | null;
}

const OPT_OUT_CODE = '200';
const UNKNOWN_CODE = '1000';

// plivo.md §B1; the class is our recommendation from Plivo's wording.
const ERROR_CODES: Record<string, Omit<PlivoErrorCodeInfo, 'code'>> = {
  '10': { reason: 'invalid message (blank or too long for the carrier)', class: 'permanent' },
  '20': { reason: 'network error, temporary: retry later', class: 'transient' },
  '30': { reason: 'spam detected by the carrier filter', class: 'permanent' },
  '40': { reason: 'invalid source number', class: 'config' },
  '50': { reason: 'invalid destination number (bad, not SMS-capable or landline)', class: 'permanent' },
  '60': { reason: 'loop detected', class: 'permanent' },
  '70': { reason: 'destination permanently unavailable', class: 'permanent' },
  '80': { reason: 'destination temporarily unavailable: retry later', class: 'transient' },
  '90': { reason: 'no route available', class: 'config' },
  '100': { reason: 'prohibited by carrier', class: 'permanent' },
  '110': { reason: 'message too long (over 1,600 GSM or 737 UCS-2 characters)', class: 'permanent' },
  '200': { reason: 'source number blocked by STOP from the destination (opt-out)', class: 'opt-out' },
  '201': { reason: 'US toll-free to Canadian number blocked', class: 'permanent' },
  '300': { reason: 'failed to dispatch message (Plivo side)', class: 'transient' },
  '420': { reason: 'message expired in Plivo queue (pacing)', class: 'transient' },
  '450': { reason: 'destination country barred by Geo Permissions', class: 'config' },
  '900': { reason: 'insufficient credit', class: 'account' },
  '910': { reason: 'account disabled', class: 'account' },
  '1000': { reason: 'unknown error', class: 'transient' },
};

/**
 * Maps a Plivo `Status` (callback or message record) to ours; `null` for anything we do not know,
 * which the caller logs and ignores rather than guessing.
 */
export function mapPlivoStatus(status: string, errorCode?: string | null): MappedPlivoStatus | null {
  const known = toPlivoStatus(status);
  if (known === null) {
    return null;
  }
  switch (known) {
    case 'queued':
      return { status: 'QUEUED', errorCode: null };
    case 'sent':
      return { status: 'SENT', errorCode: null };
    case 'delivered':
      return { status: 'DELIVERED', errorCode: null };
    case 'undelivered':
      return { status: 'UNDELIVERED', errorCode: normalizePlivoErrorCode(errorCode) };
    case 'failed':
      return { status: 'FAILED', errorCode: normalizePlivoErrorCode(errorCode) };
    case 'rejected':
      return { status: 'REJECTED', errorCode: normalizePlivoErrorCode(errorCode) };
    default:
      return assertNever(known);
  }
}

/** Error code 200: the recipient sent STOP to this sender; suppress, never retry. */
export function isOptOutErrorCode(code: string | number | null | undefined): boolean {
  return normalizePlivoErrorCode(code) === OPT_OUT_CODE;
}

/** Reason and class of a delivery error code; `null` for "no error" (empty, 0, 000). Unknown codes are treated like 1000. */
export function describePlivoErrorCode(code: string | number | null | undefined): PlivoErrorCodeInfo | null {
  const normalized = normalizePlivoErrorCode(code);
  if (normalized === null) {
    return null;
  }
  const info = Object.hasOwn(ERROR_CODES, normalized)
    ? ERROR_CODES[normalized]
    : { ...ERROR_CODES[UNKNOWN_CODE], reason: `unknown error code ${normalized}` };
  return { code: normalized, ...info };
}

/**
 * Every code describePlivoErrorCode knows, with its reason (normalised codes: no leading zeros); any
 * other code's reason is "unknown error code <code>". For exports, whose lines the database writes.
 */
export function knownPlivoErrorCodes(): Array<{ code: string; reason: string }> {
  return Object.entries(ERROR_CODES).map(([code, { reason }]) => ({ code, reason }));
}

/** "000", "0", "" and null mean no error; otherwise the code without leading zeros. */
export function normalizePlivoErrorCode(code: string | number | null | undefined): string | null {
  if (code === null || code === undefined) {
    return null;
  }
  const trimmed = String(code).trim();
  if (trimmed === '' || /^0+$/.test(trimmed)) {
    return null;
  }
  return /^\d+$/.test(trimmed) ? trimmed.replace(/^0+/, '') : trimmed;
}

function toPlivoStatus(status: string): PlivoMessageStatus | null {
  const value = status.trim().toLowerCase();
  switch (value) {
    case 'queued':
    case 'sent':
    case 'delivered':
    case 'undelivered':
    case 'failed':
    case 'rejected':
      return value;
    default:
      return null;
  }
}

function assertNever(value: never): never {
  throw new Error(`Unhandled Plivo status: ${String(value)}`);
}
