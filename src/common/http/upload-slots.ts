import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code.enum';

/**
 * Streamed uploads an instance reads at once (each parses on two worker threads), and at most one of them
 * per account: one account's stalled or trickling bodies held both slots, and every other account got 429
 * until Node's requestTimeout (300 s) closed them.
 */
export class UploadSlots {
  private taken = 0;
  private readonly byAccount = new Set<string>();

  constructor(
    private readonly capacity: number,
    /** What the 429 calls one: "upload", "campaign upload". */
    private readonly what: string,
  ) {}

  /** Takes a slot for the account, or throws 429; call the function returned once, when the upload ends. */
  take(accountId: string): () => void {
    if (this.byAccount.has(accountId)) {
      throw new DomainError(
        ErrorCode.TOO_MANY_REQUESTS,
        `one ${this.what} at a time per account, and one of yours is under way; retry when it ends`,
      );
    }
    if (this.taken >= this.capacity) {
      throw new DomainError(
        ErrorCode.TOO_MANY_REQUESTS,
        `at most ${this.capacity} ${this.what}s at a time; retry shortly`,
      );
    }
    this.taken++;
    this.byAccount.add(accountId);
    let released = false;
    return () => {
      if (released) {
        return;
      }
      released = true;
      this.taken--;
      this.byAccount.delete(accountId);
    };
  }
}
