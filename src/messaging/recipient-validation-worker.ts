import { parentPort, workerData } from 'node:worker_threads';
import type { CountryCode } from 'libphonenumber-js/core';
import { parseRecipientNumber } from './recipient-number-parser';
import {
  ParseChunkRequest,
  ParseChunkResponse,
  SAME_AS_INPUT,
  ValidationWorkerData,
} from './recipient-validation-messages';

// Mobile numbers of a few countries, as E.164 and as people type them, and junk. Parsed this many times
// over (~1,600 parses, ~60 ms) by a worker started ahead of a request: libphonenumber runs ~3x slower
// over its first ~1,500 numbers, while the JIT has not yet optimised it.
const WARM_UP_NUMBERS: Array<[string, CountryCode?]> = [
  ['+12015550123'],
  ['+447400123456'],
  ['+4915123456789'],
  ['+33612345678'],
  ['+919123456789'],
  ['+5511961234567'],
  ['+61412345678'],
  ['+525512345678'],
  ['+34612345678'],
  ['+393123456789'],
  ['(201) 555-0123', 'US'],
  ['07400 123456', 'GB'],
  ['not a number'],
];
const WARM_UP_ROUNDS = 125;

if ((workerData as ValidationWorkerData | undefined)?.warmUp) {
  for (let round = 0; round < WARM_UP_ROUNDS; round++) {
    for (const [input, defaultCountry] of WARM_UP_NUMBERS) {
      parseRecipientNumber(input, defaultCountry);
    }
  }
}

// A validation worker thread: parses the chunks of numbers it is sent, one at a time.
parentPort?.on('message', ({ chunk, inputs, defaultCountry }: ParseChunkRequest) => {
  const e164: string[] = new Array<string>(inputs.length);
  const tags = new Uint16Array(inputs.length);
  const tagNames: string[] = [];
  const tagIndex = new Map<string, number>();
  for (let i = 0; i < inputs.length; i++) {
    const parsed = parseRecipientNumber(inputs[i], defaultCountry);
    e164[i] = !parsed.ok ? '' : parsed.e164 === inputs[i] ? SAME_AS_INPUT : parsed.e164;
    const tag = parsed.ok ? parsed.country : parsed.reason;
    let index = tagIndex.get(tag);
    if (index === undefined) {
      index = tagNames.push(tag) - 1;
      tagIndex.set(tag, index);
    }
    tags[i] = index;
  }
  const response: ParseChunkResponse = { chunk, e164, tagNames, tags };
  parentPort?.postMessage(response, [tags.buffer]);
});
