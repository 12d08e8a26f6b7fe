import type { RecipientListRecord, RecipientListRejectedRow } from '../persistence/recipient-list.repository';

/** What the upload answers (and GraphQL's recipientList shows): counts, and the first rejected rows. */
export interface RecipientListSummary {
  id: string;
  format: string;
  phoneColumn: string;
  fields: string[];
  rows: number;
  recipients: number;
  duplicates: number;
  rejected: number;
  rejectedRows: RecipientListRejectedRow[];
  /** True when more rows were rejected than `rejectedRows` holds. */
  rejectedRowsTruncated: boolean;
  perCountry: Array<{ country: string; recipients: number }>;
  createdAt: Date;
  expiresAt: Date;
}

export function toRecipientListSummary(list: RecipientListRecord): RecipientListSummary {
  return {
    id: list.id,
    format: list.format,
    phoneColumn: list.phoneColumn,
    fields: list.fields,
    rows: list.rowCount,
    recipients: list.validCount,
    duplicates: list.duplicateCount,
    rejected: list.rejectedCount,
    rejectedRows: list.rejectedRows,
    rejectedRowsTruncated: list.rejectedCount > list.rejectedRows.length,
    perCountry: Object.entries(list.countries).map(([country, recipients]) => ({ country, recipients })),
    createdAt: list.createdAt,
    expiresAt: list.expiresAt,
  };
}
