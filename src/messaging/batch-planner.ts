export interface PlannedRecipients {
  phones: readonly string[];
  countries: readonly string[];
  /** Batch sequence per recipient; -1 for a suppressed recipient (stored, never sent). */
  batchSequences: number[];
  /** Recipients per batch, indexed by sequence. */
  batchSizes: number[];
  /** The group of each batch (index into the `groups` given), when recipients were grouped. */
  batchGroups?: number[];
  suppressedCount: number;
  /** Personalized campaigns: the text of each batch, indexed by sequence. */
  batchTexts?: string[];
}

/**
 * Splits the valid recipients into provider requests of at most `batchSize` numbers, in input
 * order, leaving suppressed numbers out of every batch. With `groupOf` (a group index per
 * recipient), no batch mixes groups: each group fills its own batches, still in input order.
 */
export function planBatches(
  recipients: ReadonlyArray<{ e164: string; country: string }>,
  suppressed: ReadonlySet<string>,
  batchSize: number,
  groupOf?: ArrayLike<number>,
): PlannedRecipients {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  const phones = new Array<string>(recipients.length);
  const countries = new Array<string>(recipients.length);
  const batchSequences = new Array<number>(recipients.length);
  const batchSizes: number[] = [];
  const batchGroups: number[] = [];
  // The batch each group is filling.
  const openBatch = new Map<number, number>();
  const anySuppressed = suppressed.size > 0;
  let sendable = 0;
  for (let i = 0; i < recipients.length; i++) {
    const { e164, country } = recipients[i];
    phones[i] = e164;
    countries[i] = country;
    // Skipped when none is suppressed: hashing a million numbers costs the event loop ~40 ms.
    if (anySuppressed && suppressed.has(e164)) {
      batchSequences[i] = -1;
      continue;
    }
    const group = groupOf ? groupOf[i] : 0;
    let sequence = openBatch.get(group);
    if (sequence === undefined || batchSizes[sequence] >= batchSize) {
      sequence = batchSizes.length;
      batchSizes.push(0);
      batchGroups.push(group);
      openBatch.set(group, sequence);
    }
    batchSequences[i] = sequence;
    batchSizes[sequence]++;
    sendable++;
  }
  return {
    phones,
    countries,
    batchSequences,
    batchSizes,
    ...(groupOf ? { batchGroups } : {}),
    suppressedCount: recipients.length - sendable,
  };
}

/**
 * Personalized recipients: those who get the same text share provider requests (Plivo's bulk request
 * carries one text for up to `batchSize` numbers); each distinct text has batches of its own, in order of
 * first appearance. Messages keep the input order; only their batch assignment groups them. With
 * `groupOf` (a group index per recipient, as in planBatches), no batch mixes groups either.
 */
export function planPersonalizedBatches(
  recipients: { phones: readonly string[]; countries: readonly string[]; textIndexes: ArrayLike<number> },
  texts: readonly string[],
  suppressed: ReadonlySet<string>,
  batchSize: number,
  groupOf?: ArrayLike<number>,
): PlannedRecipients {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  const count = recipients.phones.length;
  const batchSequences = new Array<number>(count);
  const batchSizes: number[] = [];
  const batchTexts: string[] = [];
  const batchGroups: number[] = [];
  // Per text (and group): the sequence of its open batch.
  const openBatch = new Map<number, number>();
  const anySuppressed = suppressed.size > 0;
  let sendable = 0;
  for (let i = 0; i < count; i++) {
    if (anySuppressed && suppressed.has(recipients.phones[i])) {
      batchSequences[i] = -1;
      continue;
    }
    const textIndex = recipients.textIndexes[i];
    const group = groupOf ? groupOf[i] : 0;
    const key = group * texts.length + textIndex;
    let sequence = openBatch.get(key);
    if (sequence === undefined || batchSizes[sequence] >= batchSize) {
      sequence = batchSizes.length;
      batchSizes.push(0);
      batchTexts.push(texts[textIndex]);
      batchGroups.push(group);
      openBatch.set(key, sequence);
    }
    batchSequences[i] = sequence;
    batchSizes[sequence]++;
    sendable++;
  }
  return {
    phones: recipients.phones,
    countries: recipients.countries,
    batchSequences,
    batchSizes,
    ...(groupOf ? { batchGroups } : {}),
    suppressedCount: count - sendable,
    batchTexts,
  };
}
