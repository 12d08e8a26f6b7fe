import { SandboxCountry, SandboxNetwork } from './sandbox-prices';
import { PlannedOutcome } from './sandbox-outcomes';

export type SandboxMessageStatus = 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'rejected';

/** What one accepted request shares with its messages. */
export interface SandboxBatch {
  index: number;
  apiId: string;
  /** The (sub-)account that sent it. */
  authId: string;
  /** The sending sub-account's token (signs V3 callbacks); undefined for the main account. */
  subaccountToken?: string;
  src: string;
  text: string;
  units: number;
  url?: string;
  method: 'GET' | 'POST';
  expiryMs: number;
}

export interface SandboxMessage {
  uuid: string;
  /** Digits, no "+". */
  to: string;
  batch: SandboxBatch;
  country: SandboxCountry;
  network: SandboxNetwork;
  /** Rate per unit in 1e-5 USD (integer), from the country rate. */
  rateMicro: number;
  plan: PlannedOutcome;
  status: SandboxMessageStatus;
  errorCode: string | null;
  charged: boolean;
  queuedAt: number;
  sentAt: number | null;
  finalAt: number | null;
  /** Last callback sequence number generated. */
  sequence: number;
  lane: string;
  /** Per-message fault draw, fixed at acceptance (reproducible). */
  reorder: boolean;
  /** The destination country sends no delivery receipts: the message stops at `sent`. */
  noReceipt: boolean;
  /** How many earlier accepted submissions had this number: seeds its random stream. */
  nth: number;
}

export const toMicro = (rate: string): number => Math.round(Number(rate) * 100_000);
export const fromMicro = (micro: number): string => (micro / 100_000).toFixed(5);

export function amountOf(message: SandboxMessage): string {
  return fromMicro(message.charged ? message.rateMicro * message.batch.units : 0);
}

/** `YYYY-mm-dd HH:MM:SS.SSSSSS` (UTC), the callback time format. */
export function callbackTime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
}

/** `YYYY-mm-dd HH:MM:SS+00:00`, the message record (MDR) time format. */
export function recordTime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}+00:00`;
}

/**
 * Callback fields as Plivo sends them, keys in sorted order (cheap to sign): the message as it stood when it
 * reached `status`. A message only moves forward (queued, then sent, then final) and each step sets its
 * fields once (sent: `sentAt` and `charged`; final: `finalAt` and `errorCode`), so the callback of an
 * earlier status can be built later, when it is sent, from the status alone: a queue of hundreds of
 * thousands of callbacks then holds a few references each rather than twenty strings.
 */
export function callbackParams(
  message: SandboxMessage,
  status: SandboxMessageStatus,
  sequence: number,
  at: number,
): Record<string, string> {
  const params: Record<string, string> = {};
  const final = status !== 'queued' && status !== 'sent';
  const failedOrUndelivered = status === 'failed' || status === 'undelivered' || status === 'rejected';
  if (final && message.finalAt !== null) {
    params.DeliveryReportTime = callbackTime(message.finalAt);
  }
  if (failedOrUndelivered && message.errorCode !== null) {
    params.ErrorCode = message.errorCode;
  }
  params.From = message.batch.src;
  params.MCC = message.network.mcc;
  params.MNC = message.network.mnc;
  params.MessageTime = callbackTime(at);
  params.MessageUUID = message.uuid;
  params.ParentMessageUUID = message.uuid;
  params.PartInfo = '1 of 1';
  params.QueuedTime = callbackTime(message.queuedAt);
  if (status !== 'queued' && message.sentAt !== null) {
    params.SentTime = callbackTime(message.sentAt);
  }
  params.Sequence = String(sequence);
  params.Status = status;
  params.To = message.to;
  params.TotalAmount = status === 'queued' ? fromMicro(0) : amountOf(message);
  params.TotalRate = fromMicro(message.rateMicro);
  params.Type = 'sms';
  params.Units = String(message.batch.units);
  return params;
}

/** The Message API record (`GET /Message/{uuid}/` and list rows). */
export function messageRecordJson(message: SandboxMessage): Record<string, unknown> {
  const authId = message.batch.authId;
  const hasError = message.status === 'failed' || message.status === 'undelivered' || message.status === 'rejected';
  return {
    error_code: hasError ? message.errorCode : null,
    error_message: '',
    from_number: message.batch.src,
    message_direction: 'outbound',
    message_state: message.status,
    message_time: recordTime(message.queuedAt),
    message_sent_time: message.sentAt === null ? null : recordTime(message.sentAt),
    message_updated_time: recordTime(message.finalAt ?? message.sentAt ?? message.queuedAt),
    message_type: 'sms',
    message_uuid: message.uuid,
    resource_uri: `/v1/Account/${authId}/Message/${message.uuid}/`,
    to_number: message.to,
    total_amount: amountOf(message),
    total_rate: fromMicro(message.rateMicro),
    units: message.batch.units,
    destination_country_iso2: message.country.iso,
    destination_network: message.network.groupName,
    is_domestic: false,
    log: 'true',
    powerpack_id: null,
    replaced_sender: '',
    requester_ip: '127.0.0.1',
  };
}
