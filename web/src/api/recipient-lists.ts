import { ApiError } from './graphql';

/** A row the upload refused: its row number as a spreadsheet shows it (the header is row 1). */
export interface RejectedRow {
  row: number;
  column: string | null;
  input: string;
  reason: string;
}

/** What POST /api/recipient-lists answers (docs/recipient-lists.md). */
export interface RecipientListUpload {
  id: string;
  phoneColumn: string;
  fields: string[];
  rows: number;
  recipients: number;
  duplicates: number;
  rejected: number;
  rejectedRows: RejectedRow[];
  rejectedRowsTruncated: boolean;
  perCountry: Array<{ country: string; recipients: number }>;
}

/**
 * Uploads a CSV file as a recipient list: the server streams, validates and stores it, and the form
 * sends the list's id. The body is the File itself (the browser streams it; nothing is parsed here).
 * `phoneColumn` is 1-based, as the server takes it.
 */
export async function uploadRecipientList(
  file: Blob,
  phoneColumn: number,
  defaultCountry: string,
): Promise<RecipientListUpload> {
  const params = new URLSearchParams({ format: 'csv', phoneColumn: String(phoneColumn) });
  if (defaultCountry) {
    params.set('defaultCountry', defaultCountry);
  }
  const response = await fetch(`/api/recipient-lists?${params.toString()}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'text/csv', 'x-console-request': '1' },
    body: file,
  });
  const json = (await response.json().catch(() => ({}))) as Partial<RecipientListUpload> & {
    message?: string | string[];
    code?: string;
  };
  if (!response.ok) {
    const message = Array.isArray(json.message) ? json.message.join('; ') : json.message;
    throw new ApiError(message ?? `The upload failed (HTTP ${response.status})`, json.code, response.status);
  }
  return json as RecipientListUpload;
}
