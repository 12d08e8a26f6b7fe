/** Plivo's message error codes (https://www.plivo.com/docs/messaging/troubleshooting/error-codes), as docs/plivo.md lists them. */
const MEANINGS: Record<string, string> = {
  '000': 'Success',
  '10': 'Invalid message (blank, or too long for the carrier)',
  '20': 'Network error: temporary, retried later',
  '30': 'Spam detected by the carrier filter: review the content',
  '40': 'Invalid source number: check the sender ID',
  '50': 'Invalid destination number (bad, landline or not SMS-capable)',
  '60': 'Loop detected',
  '70': 'Destination permanently unavailable',
  '80': 'Destination temporarily unavailable',
  '90': 'No route available',
  '100': 'Prohibited by the carrier',
  '110': 'Message too long (over 1,600 GSM-7 or 737 UCS-2 characters)',
  '200': 'Recipient opted out (STOP): the number is suppressed',
  '201': 'US toll-free to Canadian number: blocked',
  '300': 'Plivo failed to dispatch the message',
  '420': 'Message expired in Plivo’s queue (sending faster than the number’s rate)',
  '450': 'Destination country barred (Geo Permissions)',
  '900': 'Insufficient credit on the Plivo account',
  '910': 'Plivo account disabled',
  '1000': 'Unknown error',
};

export function errorCodeMeaning(code: string): string {
  return MEANINGS[code] ?? MEANINGS[String(Number(code))] ?? 'Not in Plivo’s published list';
}
