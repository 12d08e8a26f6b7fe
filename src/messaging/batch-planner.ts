export interface PlannedRecipients {
  phones: string[];
  countries: string[];
  /** Batch sequence per recipient; -1 for a suppressed recipient (stored, never sent). */
  batchSequences: number[];
  /** Recipients per batch, indexed by sequence. */
  batchSizes: number[];
  suppressedCount: number;
}

/**
 * Splits the valid recipients into provider requests of at most `batchSize` numbers, in input
 * order, leaving suppressed numbers out of every batch.
 */
export function planBatches(
  recipients: ReadonlyArray<{ e164: string; country: string }>,
  suppressed: ReadonlySet<string>,
  batchSize: number,
): PlannedRecipients {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  const phones = new Array<string>(recipients.length);
  const countries = new Array<string>(recipients.length);
  const batchSequences = new Array<number>(recipients.length);
  const batchSizes: number[] = [];
  let sendable = 0;
  for (let i = 0; i < recipients.length; i++) {
    const { e164, country } = recipients[i];
    phones[i] = e164;
    countries[i] = country;
    if (suppressed.has(e164)) {
      batchSequences[i] = -1;
      continue;
    }
    const sequence = Math.floor(sendable / batchSize);
    batchSequences[i] = sequence;
    batchSizes[sequence] = (batchSizes[sequence] ?? 0) + 1;
    sendable++;
  }
  return { phones, countries, batchSequences, batchSizes, suppressedCount: recipients.length - sendable };
}
