import { Worker } from 'node:worker_threads';
import { parseInWorkers } from './recipient-worker-pool';

// A stand-in validation worker that answers its two chunks in reverse order, so both are ready together
// once the second answer arrives. Every input is "unchanged", tagged with the one country US.
const REVERSING_WORKER = `
const { parentPort } = require('node:worker_threads');
const held = [];
parentPort.on('message', ({ chunk, inputs }) => {
  held.push({ chunk, e164: inputs.map(() => '='), tagNames: ['US'], tags: new Uint16Array(inputs.length) });
  if (held.length === 2) {
    parentPort.postMessage(held.pop());
    parentPort.postMessage(held.pop());
  }
});`;

describe('parseInWorkers', () => {
  it('should merge chunks that are ready together in turns of the event loop of their own, in input order', async () => {
    const inputs = Array.from({ length: 20 }, (_, i) => `+1201555${String(1000 + i)}`);
    let turn = 0;
    const merged: Array<{ start: number; turn: number; e164: string[]; tags: string[] }> = [];
    await parseInWorkers(
      inputs,
      undefined,
      (start, e164, tags) => {
        merged.push({ start, turn, e164: [...e164], tags: [...tags] });
        setImmediate(() => turn++);
      },
      { workers: 1, chunkSize: 10, createWorker: () => new Worker(REVERSING_WORKER, { eval: true }) },
    );

    expect(merged.map((m) => m.start)).toEqual([0, 10]);
    // The second chunk was merged after the first one's turn had ended.
    expect(merged[1].turn).toBeGreaterThan(merged[0].turn);
    // Unchanged inputs come back as the caller's own strings, the tags by name.
    expect(merged.flatMap((m) => m.e164)).toEqual(inputs);
    expect(new Set(merged.flatMap((m) => m.tags))).toEqual(new Set(['US']));
  });
});
