import {
  CountryPrice,
  ListProviderMessagesQuery,
  ProviderMessageRecord,
  SubmitBatchRequest,
  SubmitBatchResult,
} from './sms-gateway.types';

/** The SMS provider as the rest of the service sees it; also the Nest DI token. */
export abstract class SmsGateway {
  /** Rejects with `SmsGatewayError` only. */
  abstract submitBatch(request: SubmitBatchRequest): Promise<SubmitBatchResult>;

  /** `null` when the provider has no such message (404). */
  abstract getMessage(messageUuid: string): Promise<ProviderMessageRecord | null>;

  abstract listMessages(query: ListProviderMessagesQuery): Promise<ProviderMessageRecord[]>;

  /** Rejects with `SmsGatewayError` kind `permanent` for an unknown country. */
  abstract getCountryPrice(countryIso: string): Promise<CountryPrice>;
}
