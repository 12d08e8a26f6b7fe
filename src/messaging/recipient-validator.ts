import { availableParallelism } from 'node:os';
import type { CountryCode } from 'libphonenumber-js/core';
import { storablePrefix, toStorableText } from '../common/text/storable-text';
import { yieldToIo } from '../common/async/yield-to-io';
import { E164NumberSet } from './e164-number-set';
import { RecipientRejection, normalizeCountry, parseRecipientNumber } from './recipient-number-parser';
import { WorkerFactory, parseInWorkers, validationWorkers } from './recipient-worker-pool';

export { RecipientRejection, isSupportedCountry } from './recipient-number-parser';

/**
 * Valid recipients, in input order and without duplicates: phones[i] (E.164) is in countries[i] (ISO 3166-1
 * alpha-2). Two arrays, not an object per recipient: a million such objects were ~40 MB of heap that every
 * garbage collection marked again while the list was quoted or stored.
 */
export interface ValidRecipients {
  phones: string[];
  countries: string[];
}

export interface RejectedRecipient {
  input: string;
  reason: string;
}

export interface RecipientValidationResult {
  valid: ValidRecipients;
  rejected: RejectedRecipient[];
  /** Valid recipients per country, in order of first appearance. */
  perCountry: Map<string, number>;
}

export interface RecipientValidationOptions {
  /** Country of numbers written without a country code; check it with isSupportedCountry first. */
  defaultCountry?: string;
  /** Longest synchronous run on the calling thread before yielding to the event loop. */
  sliceMs?: number;
  /**
   * Use worker threads from this many inputs on. Default: 50,000 when the machine has a core to spare for the
   * event loop beside the two workers, otherwise never. Infinity disables them.
   */
  parallelFrom?: number;
  /**
   * How to start a worker, each terminated after use. Default: the validation workers next to this file,
   * kept warm between lists (validationWorkers).
   */
  createWorker?: WorkerFactory;
  /**
   * Told how many valid recipients there are so far each time a chunk has been merged on worker threads:
   * `valid` (the result's arrays, the same ones) holds them from index 0 already, so a caller may use them
   * before the whole input is validated. Not called when validating on the calling thread.
   */
  onProgress?: (result: RecipientValidationResult, validCount: number) => void;
}

/** Rejected inputs are reported (and stored) cut to this many UTF-16 units, then "…". */
export const REJECTED_INPUT_MAX_LENGTH = 64;

// ~7.5 µs per number: a 5 ms slice is ~650 numbers, and a scavenge or JIT pause on top stays under 20 ms.
const DEFAULT_SLICE_MS = 5;
const CLOCK_EVERY = 64;
// libphonenumber's max-metadata validation runs ~130k numbers/s on one core (1M in ~7.6 s in-thread). Two
// workers did 1M in ~4.5 s on 2 cores, but then the event loop competed with them for CPU and stalled for
// 40-140 ms while merging, and RSS reached ~500 MB: we only go parallel when a third core is free.
const WORKERS = 2;
const DEFAULT_PARALLEL_FROM = availableParallelism() > WORKERS ? 50_000 : Infinity;
const CHUNK_SIZE = 5_000;
// Past this many inputs the workers are terminated after use, not kept warm: starting them is ~2 % of such
// a list's time, and kept they would hold their heaps through the rest of the campaign's storage (at
// 1,000,000 the service's peak RSS was ~80 MB higher).
const KEEP_WORKERS_UP_TO = 200_000;
const YIELD_AFTER_ALLOCATING_FROM = 100_000;

/**
 * Normalises recipients to E.164 and rejects invalid, empty and duplicate ones, keeping the input order.
 * Never blocks the event loop for long: it works in time slices and yields to I/O (yieldToIo) between them,
 * or, for large inputs on machines with cores to spare, parses on worker threads and only merges here.
 */
export async function validateRecipients(
  inputs: readonly string[],
  options: RecipientValidationOptions = {},
): Promise<RecipientValidationResult> {
  const defaultCountry: CountryCode | undefined =
    options.defaultCountry === undefined ? undefined : normalizeCountry(options.defaultCountry);
  // At most one valid recipient per input: filled by index, then cut to length. Pushing instead made V8 grow
  // the arrays by copying them, every copy of a large one a synchronous pause (up to ~50 ms at 1,000,000).
  const phones = new Array<string>(inputs.length);
  if (inputs.length >= YIELD_AFTER_ALLOCATING_FROM) {
    // That took V8 25-30 ms for a million: each in a turn of its own.
    await yieldToIo();
  }
  const countries = new Array<string>(inputs.length);
  if (inputs.length >= YIELD_AFTER_ALLOCATING_FROM) {
    await yieldToIo();
  }
  const valid: ValidRecipients = { phones, countries };
  let validCount = 0;
  const result: RecipientValidationResult = { valid, rejected: [], perCountry: new Map() };
  // Sized for every input at once: it never rehashes a million numbers in one go.
  const seen = new E164NumberSet();
  const record = (input: string, e164: string, tag: string): void => {
    if (e164 === '') {
      result.rejected.push({ input: shortenRejectedInput(input), reason: tag });
      return;
    }
    if (!seen.add(e164)) {
      result.rejected.push({ input: shortenRejectedInput(input), reason: RecipientRejection.DUPLICATE });
    } else {
      phones[validCount] = e164;
      countries[validCount++] = tag;
      result.perCountry.set(tag, (result.perCountry.get(tag) ?? 0) + 1);
    }
  };

  if (inputs.length >= (options.parallelFrom ?? DEFAULT_PARALLEL_FROM)) {
    await parseInWorkers(
      inputs,
      defaultCountry,
      (start, e164, tags) => {
        for (let i = 0; i < e164.length; i++) {
          record(inputs[start + i], e164[i], tags[i]);
        }
        options.onProgress?.(result, validCount);
      },
      {
        workers: WORKERS,
        chunkSize: CHUNK_SIZE,
        source:
          options.createWorker ??
          (inputs.length <= KEEP_WORKERS_UP_TO ? validationWorkers : validationWorkers.takingOnly()),
      },
    );
  } else {
    const sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
    let sliceStart = performance.now();
    for (let i = 0; i < inputs.length; i++) {
      if (i % CLOCK_EVERY === 0 && performance.now() - sliceStart >= sliceMs) {
        await yieldToIo();
        sliceStart = performance.now();
      }
      const parsed = parseRecipientNumber(inputs[i], defaultCountry);
      if (parsed.ok) {
        record(inputs[i], parsed.e164, parsed.country);
      } else {
        record(inputs[i], '', parsed.reason);
      }
    }
  }
  phones.length = validCount;
  countries.length = validCount;
  return result;
}

/**
 * What is kept of a rejected input: enough to recognise it, never a client-sized string, and text the
 * database can store (a NUL character or half of a surrogate pair becomes U+FFFD: an upload's rejected
 * row must not make the whole list fail).
 */
export function shortenRejectedInput(input: string): string {
  if (input.length <= REJECTED_INPUT_MAX_LENGTH) {
    return toStorableText(input);
  }
  return `${toStorableText(storablePrefix(input, REJECTED_INPUT_MAX_LENGTH))}…`;
}
