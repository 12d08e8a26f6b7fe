import { Worker } from 'node:worker_threads';
import { closeIdleWorkerPools, type WorkerSource } from '../common/async/idle-worker-pool';
import { keepValidationWorkersReady, parseInWorkers, validationWorkers } from './recipient-worker-pool';

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
      { workers: 1, chunkSize: 10, source: () => new Worker(REVERSING_WORKER, { eval: true }) },
    );

    expect(merged.map((m) => m.start)).toEqual([0, 10]);
    // The second chunk was merged after the first one's turn had ended.
    expect(merged[1].turn).toBeGreaterThan(merged[0].turn);
    // Unchanged inputs come back as the caller's own strings, the tags by name.
    expect(merged.flatMap((m) => m.e164)).toEqual(inputs);
    expect(new Set(merged.flatMap((m) => m.tags))).toEqual(new Set(['US']));
  });

  describe('with a worker source', () => {
    const inputs = Array.from({ length: 40 }, (_, i) => `+1201555${String(1000 + i)}`);
    let taken: Worker[];
    let givenBack: Worker[];
    let discarded: Worker[];
    const recording = (start: () => Worker): WorkerSource => ({
      take: () => {
        const worker = start();
        taken.push(worker);
        return worker;
      },
      giveBack: (worker) => givenBack.push(worker),
      discard: async (worker) => {
        discarded.push(worker);
        await worker.terminate();
      },
    });

    beforeEach(() => {
      taken = [];
      givenBack = [];
      discarded = [];
    });

    afterEach(async () => {
      await Promise.all(taken.map((worker) => worker.terminate()));
    });

    it('should give every worker back once all chunks are merged, with none of its listeners left', async () => {
      const merged: number[] = [];

      await parseInWorkers(inputs, undefined, (start) => merged.push(start), {
        workers: 2,
        chunkSize: 10,
        source: recording(() => new Worker(REVERSING_WORKER, { eval: true })),
      });

      expect(merged).toEqual([0, 10, 20, 30]);
      expect(givenBack).toEqual(taken);
      expect(taken).toHaveLength(2);
      for (const worker of givenBack) {
        expect(['message', 'error', 'exit'].map((event) => worker.listenerCount(event))).toEqual([0, 0, 0]);
      }
      // Still alive and usable by the next caller.
      const mergedAgain: string[] = [];
      await parseInWorkers(inputs.slice(0, 20), undefined, (_start, e164) => mergedAgain.push(...e164), {
        workers: 1,
        chunkSize: 10,
        source: { take: () => givenBack[0], giveBack: () => undefined, discard: () => Promise.resolve() },
      });
      expect(mergedAgain).toEqual(inputs.slice(0, 20));
    });

    it('should terminate the workers, not give them back, when one fails', async () => {
      const exits: Array<Promise<number>> = [];
      const source = recording(() => {
        const worker = new Worker('process.exit(3)', { eval: true });
        exits.push(new Promise((resolve) => worker.once('exit', resolve)));
        return worker;
      });

      await expect(
        parseInWorkers(inputs, undefined, () => undefined, { workers: 2, chunkSize: 10, source }),
      ).rejects.toThrow(/exited with code 3/);

      expect(givenBack).toEqual([]);
      expect(discarded).toEqual(taken);
      await Promise.all(exits);
    });
  });
});

describe('keepValidationWorkersReady', () => {
  afterEach(() => closeIdleWorkerPools());

  it('should keep two validation threads started, warmed up on sample numbers, that validate the next list', async () => {
    await keepValidationWorkersReady();

    expect(validationWorkers.idleCount).toBe(2);
    const merged: string[] = [];
    await parseInWorkers(['+447400123456', '12345', '07400 123457'], 'GB', (_start, e164) => merged.push(...e164), {
      workers: 2,
      chunkSize: 2,
      source: validationWorkers,
    });
    expect(merged).toEqual(['+447400123456', '', '+447400123457']);
    expect(validationWorkers.idleCount).toBe(2);
  });
});
