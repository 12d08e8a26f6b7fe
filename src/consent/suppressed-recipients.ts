import { Injectable } from '@nestjs/common';
import { SuppressionRepository } from '../persistence/suppression.repository';
import { RecipientHasher } from './recipient-hasher';

/** The rejection reason of a suppressed recipient in quotes and sendBulk. */
export const SUPPRESSED_REASON = 'SUPPRESSED';

/** Which numbers an account must not send to: its suppressions, including erased (hashed) ones. */
@Injectable()
export class SuppressedRecipients {
  constructor(
    private readonly suppressions: SuppressionRepository,
    private readonly hasher: RecipientHasher,
  ) {}

  find(accountId: string, phones: string[]): Promise<Set<string>> {
    return this.suppressions.findSuppressed(
      accountId,
      phones,
      this.hasher.configured ? (phone) => this.hasher.hash(phone) : undefined,
    );
  }
}
