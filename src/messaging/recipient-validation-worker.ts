import { parentPort } from 'node:worker_threads';
import { parseRecipientNumber } from './recipient-number-parser';
import { ParseChunkRequest, ParseChunkResponse, SAME_AS_INPUT } from './recipient-validation-messages';

// A validation worker thread: parses the chunks of numbers it is sent, one at a time.
parentPort?.on('message', ({ chunk, inputs, defaultCountry }: ParseChunkRequest) => {
  const e164: string[] = new Array<string>(inputs.length);
  const tags: string[] = new Array<string>(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const parsed = parseRecipientNumber(inputs[i], defaultCountry);
    e164[i] = !parsed.ok ? '' : parsed.e164 === inputs[i] ? SAME_AS_INPUT : parsed.e164;
    tags[i] = parsed.ok ? parsed.country : parsed.reason;
  }
  parentPort?.postMessage({ chunk, e164, tags } satisfies ParseChunkResponse);
});
