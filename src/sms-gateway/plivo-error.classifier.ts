import { SmsGatewayError } from './sms-gateway.error';
import { SubmitFailureKind } from './sms-gateway.types';

/*
 * How plivo-node 4.79 rejects (toolchain.md §6, rest/axios.js):
 * - 400/401/404/405/406/409/422/500 with a JSON body: Error with `.status`, `.message` = body.error;
 * - 5xx with a non-JSON body: Error with `.status`, `.message` = body text;
 * - 429, 502/503 with a JSON body and any other status: plain Error, no `.status`, message
 *   "AxiosError: Request failed with status code NNN";
 * - network errors and timeouts: a STRING (the stack).
 * Response headers never reach us, so Retry-After cannot be read: `retryAfterMs` stays undefined.
 *
 * Decision on 5xx (plivo.md G3): every 5xx, 503 included, may come after Plivo queued the batch (an
 * upstream that failed, timed out or was overloaded after acting), so it is ambiguous: never
 * blind-retry it, Plivo has no idempotency key. Nothing Plivo documents says a 503 comes only from
 * an edge that never passed the request on; retrying one as transient sent a queued batch twice.
 */

const PAUSE_TEXT =
  /insufficient credit|insufficient balance|account (is )?(disabled|suspended|deactivated)|geo ?permission|country (is )?barred/i;
const INVALID_NUMBERS_TEXT = /invalid phone numbers?|is not a valid phone number/i;
// A refusal of the sender (src, a powerpack): every batch of the campaign has it, so each would be refused
// in turn and its messages failed for good; paused instead, it is fixed and resumed (error 40, plivo.md B1).
const SENDER_TEXT = /\b(src|source (number|address)|sender( id)?|powerpack)\b/i;
const STATUS_IN_TEXT = /status code (\d{3})/i;
// The request never left this host: safe to retry.
const NOT_SENT_TEXT = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|ERR_INVALID_URL/;
const TIMEOUT_TEXT = /timeout|ETIMEDOUT|ESOCKETTIMEDOUT|ECONNABORTED/i;
const RESET_TEXT = /ECONNRESET|socket hang up|EPIPE|ECONNABORTED|aborted/i;
// Rejections the SDK produces itself, before any request is made.
const SDK_PREFLIGHT_TEXT =
  /^(Missing mandatory field|Neither of src or powerpack uuid|Either of src or powerpack uuid|src parameter not present)/;

export function classifyPlivoError(error: unknown): SmsGatewayError {
  if (error instanceof SmsGatewayError) {
    return error;
  }
  const message = describe(error);
  const status = statusOf(error, message);
  const make = (kind: SubmitFailureKind, reason: string) =>
    new SmsGatewayError(kind, `${reason}: ${truncate(message)}`, { status, cause: error });

  if (status === undefined) {
    if (NOT_SENT_TEXT.test(message)) {
      return make('transient', 'Plivo unreachable, request not sent');
    }
    if (SDK_PREFLIGHT_TEXT.test(message)) {
      return make('permanent', 'Rejected by the Plivo SDK before sending');
    }
    if (TIMEOUT_TEXT.test(message)) {
      return make('ambiguous', 'Plivo request timed out; it may have been processed');
    }
    if (RESET_TEXT.test(message)) {
      return make('ambiguous', 'Connection to Plivo lost; the request may have been processed');
    }
    if (PAUSE_TEXT.test(message)) {
      return make('pause', 'Plivo account cannot send');
    }
    return make('ambiguous', 'Unrecognised Plivo failure; the request may have been processed');
  }

  if (PAUSE_TEXT.test(message)) {
    return make('pause', 'Plivo account cannot send');
  }
  if (status === 429) {
    return make('transient', 'Plivo rate limit (429)');
  }
  if (status === 408) {
    return make('transient', 'Plivo did not receive the whole request (408)');
  }
  if (status >= 500) {
    return make('ambiguous', `Plivo server error (${status}); the request may have been processed`);
  }
  if (status === 401 || status === 402 || status === 403) {
    return make('pause', `Plivo refused the account (${status})`);
  }
  if (status >= 400 && SENDER_TEXT.test(message) && !INVALID_NUMBERS_TEXT.test(message)) {
    return make('pause', `Plivo refused the sender (${status})`);
  }
  if (status >= 400) {
    const reason = INVALID_NUMBERS_TEXT.test(message)
      ? 'Plivo rejected the recipients'
      : `Plivo rejected the request (${status})`;
    return make('permanent', reason);
  }
  return make('ambiguous', `Unexpected Plivo answer (${status})`);
}

function statusOf(error: unknown, message: string): number | undefined {
  if (typeof error === 'object' && error !== null && 'status' in error) {
    const status = Number(error.status);
    if (Number.isInteger(status) && status > 0) {
      return status;
    }
  }
  // A string rejection is the error's stack: a status in it would come from our own text, not Plivo.
  if (typeof error === 'string') {
    return undefined;
  }
  const match = STATUS_IN_TEXT.exec(message);
  return match ? Number(match[1]) : undefined;
}

function describe(error: unknown): string {
  if (typeof error === 'string') {
    return error;
  }
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return [code, error.message].filter(Boolean).join(' ');
  }
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

function truncate(text: string): string {
  const firstLine = text.split('\n', 1)[0];
  return firstLine.length > 300 ? `${firstLine.slice(0, 300)}…` : firstLine;
}
