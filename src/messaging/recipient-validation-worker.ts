import { parentPort } from 'node:worker_threads';
import { lowerThisThreadsPriority } from '../common/async/background-thread-priority';
import { parseRecipientNumber } from './recipient-number-parser';
import { ParseChunkRequest, ParseChunkResponse, SAME_AS_INPUT } from './recipient-validation-messages';

// A validation worker thread: parses the chunks of numbers it is sent, one at a time.
lowerThisThreadsPriority();
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
