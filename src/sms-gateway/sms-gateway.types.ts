/** Our vocabulary for a message's state at the provider (mapped from Plivo's `Status`). */
export type ProviderMessageStatus = 'QUEUED' | 'SENT' | 'DELIVERED' | 'UNDELIVERED' | 'FAILED' | 'REJECTED';

export interface SubmitBatchRequest {
  /** Our id for this submission attempt; the caller puts it in `callbackUrl` too (plivo.md G2). */
  batchId: string;
  src: string;
  /** E.164 numbers, 1..1000. */
  recipients: string[];
  text: string;
  callbackUrl: string;
  callbackMethod?: 'GET' | 'POST';
  messageExpirySeconds: number;
}

export interface SubmitBatchResult {
  apiId: string;
  /** One per accepted recipient; the order is not guaranteed to match `recipients` (plivo.md A2). */
  messageUuids: string[];
  invalidNumbers: string[];
}

export interface ProviderMessageRecord {
  messageUuid: string;
  to: string;
  from: string;
  status: ProviderMessageStatus;
  errorCode: string | null;
  units: number | null;
  totalAmount: string | null;
  totalRate: string | null;
  messageTime: Date | null;
}

export interface ListProviderMessagesQuery {
  toNumber?: string;
  since?: Date;
  until?: Date;
  /** At most 20 (Plivo's page size limit). */
  limit?: number;
  offset?: number;
}

export interface CountryPrice {
  /** ISO 3166-1 alpha-2. */
  country: string;
  currency: 'USD';
  /** Outbound rate per segment, decimal string. */
  rate: string;
  /** Max over `outbound_networks_list` and `rate`: the worst-case per-segment price. */
  maxRate: string;
}

export type SubmitFailureKind = 'transient' | 'ambiguous' | 'permanent' | 'pause';
