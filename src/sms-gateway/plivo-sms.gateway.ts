import * as plivo from 'plivo';
import { classifyPlivoError } from './plivo-error.classifier';
import { mapPlivoStatus } from './plivo-status.mapper';
import { formatPlivoTime, parsePlivoTime } from './plivo-time';
import { SmsGateway } from './sms-gateway';
import { SmsGatewayError } from './sms-gateway.error';
import {
  CountryPrice,
  ListProviderMessagesQuery,
  ProviderMessageRecord,
  SubmitBatchRequest,
  SubmitBatchResult,
} from './sms-gateway.types';

export interface PlivoSmsGatewayOptions {
  authId: string;
  authToken: string;
  /** Base URL ending in `/Account/`; the auth id is appended (the SDK then appends `/Message/`). */
  apiUrl: string;
  timeoutMs: number;
}

export const MAX_RECIPIENTS_PER_BATCH = 1000;
const MAX_LIST_PAGE = 20;

// The SDK's own typings are loose (`any`); these are the fields we read, as it camelCases them.
interface PlivoSendResponse {
  apiId: string;
  messageUuid?: string[];
  invalid_number?: string[];
}
interface PlivoMessageRecord {
  messageUuid?: string;
  toNumber?: string;
  fromNumber?: string;
  messageState?: string;
  errorCode?: string | number | null;
  units?: number | string | null;
  totalAmount?: string | number | null;
  totalRate?: string | number | null;
  messageTime?: string | null;
}
interface PlivoPricing {
  countryIso?: string;
  message?: { outbound?: { rate?: string }; outboundNetworksList?: Array<{ rate?: string }> };
}

/** The only place that talks to Plivo, through the official SDK. */
export class PlivoSmsGateway extends SmsGateway {
  private readonly client: plivo.Client;

  constructor(options: PlivoSmsGatewayOptions) {
    super();
    const base = options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`;
    // `url` replaces the SDK's whole base (…/Account/<id>); `timeout` is passed to axios per request.
    this.client = new plivo.Client(options.authId, options.authToken, {
      url: base + options.authId,
      timeout: options.timeoutMs,
    });
  }

  async submitBatch(request: SubmitBatchRequest): Promise<SubmitBatchResult> {
    const count = request.recipients.length;
    if (count === 0 || count > MAX_RECIPIENTS_PER_BATCH) {
      throw new SmsGatewayError('permanent', `A batch needs 1..${MAX_RECIPIENTS_PER_BATCH} recipients, got ${count}`);
    }
    let response: PlivoSendResponse;
    try {
      response = await this.client.messages.create(request.src, request.recipients, request.text, {
        url: request.callbackUrl,
        method: request.callbackMethod ?? 'POST',
        message_expiry: request.messageExpirySeconds,
      });
    } catch (error) {
      throw classifyPlivoError(error);
    }
    return {
      apiId: response.apiId,
      messageUuids: response.messageUuid ?? [],
      invalidNumbers: response.invalid_number ?? [],
    };
  }

  async getMessage(messageUuid: string): Promise<ProviderMessageRecord | null> {
    try {
      const record = (await this.client.messages.get(messageUuid)) as PlivoMessageRecord;
      return toRecord(record);
    } catch (error) {
      const classified = classifyPlivoError(error);
      if (classified.status === 404) {
        return null;
      }
      throw classified;
    }
  }

  async listMessages(query: ListProviderMessagesQuery): Promise<ProviderMessageRecord[]> {
    const params: Record<string, string | number> = {
      message_direction: 'outbound',
      limit: Math.min(Math.max(query.limit ?? MAX_LIST_PAGE, 1), MAX_LIST_PAGE),
      offset: Math.max(query.offset ?? 0, 0),
    };
    if (query.toNumber) {
      params.to_number = query.toNumber.replace(/^\+/, '');
    }
    // The SDK keeps these double-underscore keys as they are (rest/utils.js skip list).
    if (query.since) {
      params.message_time__gte = formatPlivoTime(query.since);
    }
    if (query.until) {
      params.message_time__lte = formatPlivoTime(query.until);
    }
    let rows: PlivoMessageRecord[];
    try {
      rows = (await this.client.messages.list(params)) as unknown as PlivoMessageRecord[];
    } catch (error) {
      throw classifyPlivoError(error);
    }
    return Array.from(rows)
      .map(toRecord)
      .filter((row): row is ProviderMessageRecord => row !== null);
  }

  async getCountryPrice(countryIso: string): Promise<CountryPrice> {
    const iso = countryIso.trim().toUpperCase();
    if (!/^[A-Z]{2}$/.test(iso)) {
      throw new SmsGatewayError('permanent', `Not an ISO 3166-1 alpha-2 country code: ${countryIso}`);
    }
    let pricing: PlivoPricing;
    try {
      // Typed without get() in the SDK's .d.ts, but resources/pricings.js has it.
      const pricings = this.client.pricings as unknown as { get(iso: string): Promise<PlivoPricing> };
      pricing = await pricings.get(iso);
    } catch (error) {
      throw classifyPlivoError(error);
    }
    const rate = pricing.message?.outbound?.rate;
    if (rate === undefined || !isDecimal(rate)) {
      throw new SmsGatewayError('permanent', `Plivo has no outbound SMS rate for ${iso}`);
    }
    const networkRates = (pricing.message?.outboundNetworksList ?? []).map((n) => n.rate).filter(isDecimal);
    const maxRate = [rate, ...networkRates].reduce((max, r) => (Number(r) > Number(max) ? r : max));
    return { country: pricing.countryIso ?? iso, currency: 'USD', rate, maxRate };
  }
}

function toRecord(row: PlivoMessageRecord): ProviderMessageRecord | null {
  const mapped = mapPlivoStatus(
    String(row.messageState ?? ''),
    row.errorCode === undefined ? null : String(row.errorCode),
  );
  if (!row.messageUuid || mapped === null) {
    return null;
  }
  return {
    messageUuid: row.messageUuid,
    to: toE164(row.toNumber),
    from: toE164(row.fromNumber),
    status: mapped.status,
    errorCode: mapped.errorCode,
    units: row.units === undefined || row.units === null || row.units === '' ? null : Number(row.units),
    totalAmount: row.totalAmount === undefined || row.totalAmount === null ? null : String(row.totalAmount),
    totalRate: row.totalRate === undefined || row.totalRate === null ? null : String(row.totalRate),
    messageTime: parsePlivoTime(row.messageTime),
  };
}

// Plivo's records hold numbers without "+"; alphanumeric senders stay as they are.
function toE164(value: string | undefined): string {
  if (!value) {
    return '';
  }
  return /^\d+$/.test(value) ? `+${value}` : value;
}

function isDecimal(value: unknown): value is string {
  return typeof value === 'string' && /^\d+(\.\d+)?$/.test(value);
}

/** Plivo filter format: `YYYY-MM-DD HH:MM:SS` in UTC. */
