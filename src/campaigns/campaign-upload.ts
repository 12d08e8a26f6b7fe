import { createHash, Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CampaignRecord } from '../domain/campaign.record';
import type { RecipientListRecord } from '../persistence/recipient-list.repository';
import type { RecipientListFormat } from '../recipient-lists/recipient-list-format';
import type { RecipientListSummary } from '../recipient-lists/recipient-list.summary';
import { fingerprintFields } from './dto/send-bulk-fingerprint';
import { SendBulkInput } from './dto/send-bulk.input';

/** The body of POST /api/campaigns: the recipients, as a list upload. */
export interface CampaignUpload {
  body: Readable;
  format: RecipientListFormat;
  phoneColumn?: string;
}

/** What the rows of the body came to: as a list upload counts them. */
export type UploadedRecipients = Pick<
  RecipientListSummary,
  | 'phoneColumn'
  | 'fields'
  | 'rows'
  | 'recipients'
  | 'duplicates'
  | 'rejected'
  | 'rejectedRows'
  | 'rejectedRowsTruncated'
>;

export interface UploadedCampaign {
  campaign: CampaignRecord;
  /** Null when an idempotency key returned the campaign it had created. */
  recipients: UploadedRecipients | null;
  replayed: boolean;
}

/** The answer's counts from a list's (or the same counts of a body stored as messages). */
export function uploadedRecipientsOf(
  counts: Pick<
    RecipientListRecord,
    'phoneColumn' | 'fields' | 'rowCount' | 'validCount' | 'duplicateCount' | 'rejectedCount' | 'rejectedRows'
  >,
): UploadedRecipients {
  return {
    phoneColumn: counts.phoneColumn,
    fields: counts.fields,
    rows: counts.rowCount,
    recipients: counts.validCount,
    duplicates: counts.duplicateCount,
    rejected: counts.rejectedCount,
    rejectedRows: counts.rejectedRows,
    rejectedRowsTruncated: counts.rejectedCount > counts.rejectedRows.length,
  };
}

/**
 * What makes two uploads the same for an idempotency key: sendBulk's fields (fingerprintFields), the phone
 * column and format, and every byte of the body, hashed as it is read. Without a key nothing is hashed.
 */
export class UploadFingerprint {
  private readonly hash: Hash | null;
  private digested?: string;

  constructor(input: SendBulkInput, upload: Pick<CampaignUpload, 'format' | 'phoneColumn'>) {
    this.hash = input.idempotencyKey
      ? createHash('sha256').update(
          JSON.stringify({
            ...fingerprintFields(input),
            upload: { format: upload.format, phoneColumn: upload.phoneColumn ?? null },
          }),
        )
      : null;
  }

  update(chunk: Buffer): void {
    this.hash?.update(chunk);
  }

  /** The fingerprint once the whole body was read; null without an idempotency key. */
  digest(): string | null {
    if (this.hash === null) {
      return null;
    }
    this.digested ??= this.hash.digest('hex');
    return this.digested;
  }
}
