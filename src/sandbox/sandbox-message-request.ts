import { countryOfNumber, SandboxCountry } from './sandbox-prices';

export type SenderType = 'long_code' | 'toll_free' | 'short_code' | 'alphanumeric';

export interface ValidRecipient {
  /** Digits only, as Plivo stores it (no "+"). */
  number: string;
  country: SandboxCountry;
}

export interface ParsedMessageRequest {
  src: string;
  senderType: SenderType;
  recipients: ValidRecipient[];
  /** As the client wrote them. */
  invalidNumbers: string[];
  duplicateCount: number;
  text: string;
  units: number;
  url?: string;
  method: 'GET' | 'POST';
  /** Seconds; Plivo's default is 10,800 (3 h). */
  messageExpiry: number;
}

export type ParseResult = { ok: true; request: ParsedMessageRequest } | { ok: false; status: number; error: string };

export const MAX_DESTINATIONS = 1000;
export const DEFAULT_MESSAGE_EXPIRY_S = 10_800;
const GSM_LIMIT = 1600;
const UCS2_LIMIT = 737;

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '^{}\\[~]|€\f';
const GSM_BASIC_SET = new Set(GSM_BASIC);
const GSM_EXTENSION_SET = new Set(GSM_EXTENSION);
const TOLL_FREE_PREFIXES = new Set(['800', '833', '844', '855', '866', '877', '888']);

/** Validates a send-message body as Plivo would, for the countries the sandbox knows. */
export function parseMessageRequest(body: Record<string, unknown>, knownCountries: ReadonlySet<string>): ParseResult {
  const fail = (error: string, status = 400): ParseResult => ({ ok: false, status, error });

  if (body.powerpack_uuid !== undefined) {
    return fail('powerpack_uuid is not supported by the sandbox; use src');
  }
  const type = body.type === undefined ? 'sms' : stringParam(body.type);
  if (type !== 'sms') {
    return fail(`type ${type} is not supported by the sandbox (sms only)`);
  }
  const rawSrc = stringParam(body.src);
  if (!rawSrc) {
    return fail('src parameter not present');
  }
  const src = rawSrc.replace(/[^0-9A-Za-z]/g, '');
  const senderType = senderTypeOf(src);
  if (src === '' || (senderType === 'alphanumeric' ? src.length > 11 : src.length > 14)) {
    return fail(`'${rawSrc}' is not a valid source number or sender id.`);
  }
  const rawDst = stringParam(body.dst);
  if (!rawDst) {
    return fail('dst parameter not present');
  }
  const text = stringParam(body.text);
  if (!text) {
    return fail('text parameter not present');
  }
  const textProblem = checkText(text);
  if (textProblem) {
    return fail(textProblem);
  }
  let url: string | undefined;
  if (body.url !== undefined && body.url !== '') {
    url = stringParam(body.url);
    if (!/^https?:\/\/[^\s/?#]+[^\s]*$/i.test(url)) {
      return fail(`url ${url} is not a valid URL`);
    }
  }
  const method = (stringParam(body.method) || 'POST').toUpperCase();
  if (method !== 'GET' && method !== 'POST') {
    return fail('method should be GET or POST');
  }
  let messageExpiry = DEFAULT_MESSAGE_EXPIRY_S;
  if (body.message_expiry !== undefined && body.message_expiry !== '') {
    messageExpiry = Number(body.message_expiry);
    if (!Number.isInteger(messageExpiry) || messageExpiry < 5 || messageExpiry > DEFAULT_MESSAGE_EXPIRY_S) {
      return fail(`message_expiry should be an integer between 5 and ${DEFAULT_MESSAGE_EXPIRY_S} seconds`);
    }
  }

  const parts = rawDst.split('<').filter((part) => part.trim() !== '');
  if (parts.length > MAX_DESTINATIONS) {
    return fail(`a maximum of ${MAX_DESTINATIONS} destination numbers is allowed per request`);
  }
  const seen = new Set<string>();
  const recipients: ValidRecipient[] = [];
  const invalidNumbers: string[] = [];
  let duplicateCount = 0;
  for (const part of parts) {
    const number = normalizeNumber(part);
    const country = number === null ? undefined : countryOfNumber(number);
    if (number === null || !country || !knownCountries.has(country.iso)) {
      invalidNumbers.push(part);
      continue;
    }
    if (seen.has(number)) {
      duplicateCount++;
      continue;
    }
    seen.add(number);
    recipients.push({ number, country });
  }
  if (recipients.length === 0) {
    return fail(parts.length === 1 ? `'${parts[0]}' is not a valid phone number.` : 'invalid phone numbers.');
  }
  return {
    ok: true,
    request: {
      src,
      senderType,
      recipients,
      invalidNumbers,
      duplicateCount,
      text,
      units: countSegments(text),
      url,
      method,
      messageExpiry,
    },
  };
}

/** Plivo strips `/ - . + ( )` and spaces; we then want 8–15 digits not starting with 0. */
export function normalizeNumber(raw: string): string | null {
  const digits = raw.replace(/[\s/\-.+()]/g, '');
  return /^[1-9]\d{7,14}$/.test(digits) ? digits : null;
}

export function senderTypeOf(src: string): SenderType {
  if (/[A-Za-z]/.test(src)) {
    return 'alphanumeric';
  }
  if (src.length <= 8) {
    return 'short_code';
  }
  if (src.length === 11 && src.startsWith('1') && TOLL_FREE_PREFIXES.has(src.slice(1, 4))) {
    return 'toll_free';
  }
  return 'long_code';
}

export function isGsm7(text: string): boolean {
  for (const char of text) {
    if (!GSM_BASIC_SET.has(char) && !GSM_EXTENSION_SET.has(char)) {
      return false;
    }
  }
  return true;
}

function gsmLength(text: string): number {
  let length = 0;
  for (const char of text) {
    length += GSM_EXTENSION_SET.has(char) ? 2 : 1;
  }
  return length;
}

function checkText(text: string): string | null {
  if (isGsm7(text)) {
    return gsmLength(text) > GSM_LIMIT ? `text parameter length exceeds ${GSM_LIMIT} characters` : null;
  }
  return text.length > UCS2_LIMIT ? `text parameter length exceeds ${UCS2_LIMIT} unicode characters` : null;
}

/** Segments billed: GSM-7 160 single / 153 concatenated; UCS-2 70 / 67 (UTF-16 units). */
export function countSegments(text: string): number {
  if (isGsm7(text)) {
    const length = gsmLength(text);
    return length <= 160 ? 1 : Math.ceil(length / 153);
  }
  return text.length <= 70 ? 1 : Math.ceil(text.length / 67);
}

function stringParam(value: unknown): string {
  if (value === undefined || value === null) {
    return '';
  }
  if (typeof value === 'string') {
    return value;
  }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}
