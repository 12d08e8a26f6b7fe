import { SandboxMessage, SandboxMessageStatus } from './sandbox-message';

/** How the sandbox answered an accepted request (faults may leave the client without an answer). */
export type SubmissionAnswer = 'accepted' | 'timeout' | 'reset' | `error ${number}`;

export interface SandboxSubmission {
  index: number;
  apiId: string;
  /** The (sub-)account whose credentials sent the request. */
  authId: string;
  receivedAt: Date;
  src: string;
  /** E.164, one per accepted (valid, de-duplicated) recipient. */
  numbers: string[];
  /** The text every number of the request was sent. */
  text: string;
  messageUuids: string[];
  invalidNumbers: string[];
  callbackUrl: string | null;
  callbackMethod: 'GET' | 'POST';
  answer: SubmissionAnswer;
}

export interface MessageFilter {
  /** Only this (sub-)account's messages. */
  authId?: string;
  toNumber?: string;
  fromNumber?: string;
  state?: string;
  timeGte?: number;
  timeGt?: number;
  timeLte?: number;
  timeLt?: number;
}

/**
 * Every accepted submission, so tests and benchmarks can prove no recipient was submitted twice.
 */
export class SandboxRecords {
  private readonly batches: SandboxSubmission[] = [];
  private readonly counts = new Map<string, number>();
  // Kept as numbers are added, so that stats stay cheap with millions of numbers.
  private duplicatedNumbers = 0;
  private readonly byNumber = new Map<string, number[]>();
  private readonly byUuid = new Map<string, SandboxMessage>();
  private readonly ordered: SandboxMessage[] = [];

  get submissions(): readonly SandboxSubmission[] {
    return this.batches;
  }

  get messageCount(): number {
    return this.ordered.length;
  }

  add(submission: SandboxSubmission, messages: SandboxMessage[]): void {
    this.batches.push(submission);
    for (const number of submission.numbers) {
      const count = (this.counts.get(number) ?? 0) + 1;
      this.counts.set(number, count);
      if (count === 2) {
        this.duplicatedNumbers++;
      }
      const list = this.byNumber.get(number);
      if (list) {
        list.push(submission.index);
      } else {
        this.byNumber.set(number, [submission.index]);
      }
    }
    for (const message of messages) {
      this.byUuid.set(message.uuid, message);
      this.ordered.push(message);
    }
  }

  /** E.164 number → how many accepted submissions included it. */
  submissionsByNumber(): Map<string, number> {
    return new Map(this.counts);
  }

  /** Numbers submitted more than once. */
  duplicates(): Array<{ number: string; count: number }> {
    const result: Array<{ number: string; count: number }> = [];
    for (const [number, count] of this.counts) {
      if (count > 1) {
        result.push({ number, count });
      }
    }
    return result;
  }

  /** How many numbers were submitted more than once (duplicates().length, without building it). */
  get duplicateNumberCount(): number {
    return this.duplicatedNumbers;
  }

  /** How many accepted submissions included this number (E.164 or digits). */
  timesSubmitted(number: string): number {
    return this.counts.get(number.startsWith('+') ? number : `+${number}`) ?? 0;
  }

  /** The texts accepted for this number (E.164 or digits), one per accepted submission including it. */
  textsSentTo(number: string): string[] {
    return this.submissionsFor(number).map((submission) => submission.text);
  }

  submissionsFor(number: string): SandboxSubmission[] {
    const e164 = number.startsWith('+') ? number : `+${number}`;
    return (this.byNumber.get(e164) ?? []).map((index) => this.batches[index]);
  }

  submission(apiId: string): SandboxSubmission | undefined {
    return this.batches.find((b) => b.apiId === apiId);
  }

  message(uuid: string): SandboxMessage | undefined {
    return this.byUuid.get(uuid);
  }

  messagesFor(number: string): SandboxMessage[] {
    const digits = number.replace(/^\+/, '');
    return this.ordered.filter((m) => m.to === digits);
  }

  /** Newest first, like Plivo's list API. */
  listMessages(filter: MessageFilter, offset: number, limit: number): SandboxMessage[] {
    const to = filter.toNumber?.replace(/^\+/, '');
    const from = filter.fromNumber?.replace(/^\+/, '');
    const result: SandboxMessage[] = [];
    let skipped = 0;
    for (let i = this.ordered.length - 1; i >= 0 && result.length < limit; i--) {
      const m = this.ordered[i];
      if (
        (filter.authId !== undefined && m.batch.authId !== filter.authId) ||
        (to !== undefined && m.to !== to) ||
        (from !== undefined && m.batch.src !== from) ||
        (filter.state !== undefined && m.status !== filter.state) ||
        (filter.timeGte !== undefined && m.queuedAt < filter.timeGte) ||
        (filter.timeGt !== undefined && m.queuedAt <= filter.timeGt) ||
        (filter.timeLte !== undefined && m.queuedAt > filter.timeLte) ||
        (filter.timeLt !== undefined && m.queuedAt >= filter.timeLt)
      ) {
        continue;
      }
      if (skipped < offset) {
        skipped++;
        continue;
      }
      result.push(m);
    }
    return result;
  }

  statusCounts(): Record<SandboxMessageStatus, number> {
    const counts: Record<SandboxMessageStatus, number> = {
      queued: 0,
      sent: 0,
      delivered: 0,
      undelivered: 0,
      failed: 0,
      rejected: 0,
    };
    for (const m of this.ordered) {
      counts[m.status]++;
    }
    return counts;
  }

  clear(): void {
    this.batches.length = 0;
    this.counts.clear();
    this.duplicatedNumbers = 0;
    this.byNumber.clear();
    this.byUuid.clear();
    this.ordered.length = 0;
  }
}
