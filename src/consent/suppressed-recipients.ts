import { Injectable } from '@nestjs/common';
import { Db } from '../persistence/db';
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

  /** `db`: a transaction to look them up in (on PGlite, another connection would wait for it to end). */
  find(accountId: string, phones: string[], db?: Db): Promise<Set<string>> {
    const suppressions = db ? new SuppressionRepository(db) : this.suppressions;
    return suppressions.findSuppressed(
      accountId,
      phones,
      this.hasher.configured ? (phone) => this.hasher.hash(phone) : undefined,
    );
  }
}
