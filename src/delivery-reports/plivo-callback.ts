import { createHash } from 'node:crypto';
import { normalizePlivoErrorCode } from '../sms-gateway/plivo-status.mapper';
import type { NewDeliveryReport } from '../persistence/delivery-report.repository';
import { parsePlivoTime } from '../sms-gateway/plivo-time';

/** Callback fields as strings (form fields, query params, or JSON fields stringified). */
export type CallbackParams = Record<string, string>;

/** Why a verified callback cannot be stored. */
export class MalformedCallbackError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DECIMAL = /^-?\d+(\.\d+)?$/;
const MAX_FIELD_LENGTH = 200;

/**
 * Same report, same key: Plivo's retries of one callback (new nonce each time) collapse to one row.
 * The key covers what makes a report distinct for the message: UUID, status, Sequence, ErrorCode.
 */
export function deliveryReportDedupeKey(
  messageUuid: string,
  status: string,
  sequence: number | null,
  errorCode: string | null,
): string {
  return createHash('sha256')
    .update(`${messageUuid}|${status}|${sequence ?? ''}|${errorCode ?? ''}`)
    .digest('hex');
}

/** Plivo sends numbers as digits without "+" (and form encoding may turn "+" into a space). */
export function toE164(value: string | undefined | null): string | null {
  if (!value) {
    return null;
  }
  const digits = value.trim().replace(/^\+/, '');
  return /^\d{6,15}$/.test(digits) ? `+${digits}` : null;
}

/**
 * Turns a verified Plivo status callback into the row we append. `batchId` comes from our own
 * callback URL (`?batch=`), so it is covered by the signature too.
 */
export function toDeliveryReport(params: CallbackParams, batchId: string | undefined): NewDeliveryReport {
  const messageUuid = params.MessageUUID?.trim();
  const status = params.Status?.trim().toLowerCase();
  if (!messageUuid || messageUuid.length > MAX_FIELD_LENGTH || !status || status.length > 40) {
    throw new MalformedCallbackError('MessageUUID and Status are required');
  }
  const sequence = toInt(params.Sequence);
  const errorCode = normalizePlivoErrorCode(params.ErrorCode)?.slice(0, 20) ?? null;
  return {
    dedupeKey: deliveryReportDedupeKey(messageUuid, status, sequence, errorCode),
    messageUuid,
    batchId: batchId && UUID.test(batchId) ? batchId.toLowerCase() : null,
    to: toE164(params.To),
    status,
    sequence,
    errorCode,
    units: toInt(params.Units),
    totalAmount: toDecimal(params.TotalAmount),
    totalRate: toDecimal(params.TotalRate),
    payload: params,
  };
}

function toInt(value: string | undefined): number | null {
  if (value === undefined || !/^\d{1,9}$/.test(value.trim())) {
    return null;
  }
  return Number(value.trim());
}

function toDecimal(value: string | undefined): string | null {
  const trimmed = value?.trim();
  // numeric(18,5): at most 13 integer digits.
  return trimmed && DECIMAL.test(trimmed) && trimmed.replace(/^-/, '').split('.')[0].length <= 13 ? trimmed : null;
}

/** Plivo's callback times; null when absent or unreadable. */
export const parsePlivoCallbackTime = parsePlivoTime;
