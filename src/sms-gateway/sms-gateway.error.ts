import { SubmitFailureKind } from './sms-gateway.types';

export interface SmsGatewayErrorDetails {
  status?: number;
  retryAfterMs?: number;
  providerCode?: string;
  cause?: unknown;
}

/**
 * The only rejection a gateway produces. `kind` drives the caller:
 * transient = surely not processed, retry later; ambiguous = may have been processed, never
 * blind-retry; permanent = do not retry this request; pause = stop the campaign (account/config).
 */
export class SmsGatewayError extends Error {
  readonly kind: SubmitFailureKind;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly providerCode?: string;

  constructor(kind: SubmitFailureKind, message: string, details: SmsGatewayErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'SmsGatewayError';
    this.kind = kind;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.providerCode = details.providerCode;
  }
}
