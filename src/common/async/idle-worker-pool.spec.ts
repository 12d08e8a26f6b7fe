import { Worker } from 'node:worker_threads';
import { IdleWorkerPool, closeIdleWorkerPools, singleUseWorkers } from './idle-worker-pool';

// Answers each message with its own thread id and the message, so a test can tell threads apart.
const ECHO_WORKER = `
const { parentPort, threadId } = require('node:worker_threads');
parentPort.on('message', (message) => {
  if (message === 'throw') {
    throw new Error('worker failed');
  }
  parentPort.postMessage({ threadId, message });
});`;

/** The worker's answer to `message`; the listeners it adds are gone once it settles. */
function echoOf(worker: Worker, message: unknown): Promise<{ threadId: number; message: unknown }> {
  return new Promise((resolve, reject) => {
    const onMessage = (answer: { threadId: number; message: unknown }) => {
      worker.off('error', onError);
      resolve(answer);
    };
    const onError = (error: Error) => {
      worker.off('message', onMessage);
      reject(error);
    };
    worker.once('message', onMessage).once('error', onError);
    worker.postMessage(message);
  });
}

/** A worker of `pool` that has answered once and is idle in it again. */
async function idleWorkerOf(pool: IdleWorkerPool): Promise<Worker> {
  const worker = pool.take();
  await echoOf(worker, 'ready');
  pool.giveBack(worker);
  return worker;
}

/** A pool of echo workers, each pushed onto `started` as it starts. */
function echoPool(started: Worker[], maxIdle: number, idleMs: number): IdleWorkerPool {
  return new IdleWorkerPool(
    () => {
      const worker = new Worker(ECHO_WORKER, { eval: true });
      started.push(worker);
      return worker;
    },
    { maxIdle, idleMs },
  );
}

function exitOf(worker: Worker): Promise<number> {
  return new Promise((resolve) => worker.once('exit', resolve));
}

describe('IdleWorkerPool', () => {
  let started: Worker[];
  let pool: IdleWorkerPool;
  const newPool = (maxIdle: number, idleMs: number): IdleWorkerPool => echoPool(started, maxIdle, idleMs);

  beforeEach(() => {
    started = [];
  });

  afterEach(async () => {
    await pool.close();
    await Promise.all(started.map((worker) => worker.terminate()));
  });

  it('should start a worker when none is idle, and give the same one again once it is given back', async () => {
    pool = newPool(2, 60_000);

    const first = pool.take();
    const firstAnswer = await echoOf(first, 'one');
    pool.giveBack(first);
    expect(pool.idleCount).toBe(1);
    const again = pool.take();

    expect(again).toBe(first);
    expect(pool.idleCount).toBe(0);
    expect(await echoOf(again, 'two')).toEqual({
      threadId: firstAnswer.threadId,
      message: 'two',
    });
    expect(started).toHaveLength(1);
  });

  it('should terminate a worker given back past maxIdle', async () => {
    pool = newPool(1, 60_000);
    const [a, b] = [pool.take(), pool.take()];
    await Promise.all([echoOf(a, 1), echoOf(b, 2)]);
    const bExited = exitOf(b);

    pool.giveBack(a);
    pool.giveBack(b);

    expect(await bExited).toBe(1);
    expect(pool.idleCount).toBe(1);
    expect(pool.take()).toBe(a);
  });

  it('should terminate an idle worker that is not taken within idleMs', async () => {
    pool = newPool(2, 50);
    const worker = pool.take();
    await echoOf(worker, 'ready');
    const exited = exitOf(worker);

    pool.giveBack(worker);

    expect(await exited).toBe(1);
    expect(pool.idleCount).toBe(0);
    expect(pool.take()).not.toBe(worker);
  });

  it('should drop an idle worker that dies, without an uncaught error', async () => {
    pool = newPool(2, 60_000);
    const worker = await idleWorkerOf(pool);
    const exited = exitOf(worker);

    // Its error is emitted on the Worker while only the pool listens: it must not become uncaught.
    worker.postMessage('throw');
    await exited;

    expect(pool.idleCount).toBe(0);
    expect(pool.take()).not.toBe(worker);
  });

  it('should hand out idle workers through takingOnly, and terminate them after use', async () => {
    pool = newPool(2, 60_000);
    const idle = await idleWorkerOf(pool);
    const source = pool.takingOnly();

    const worker = source.take();
    const exited = exitOf(worker);
    await echoOf(worker, 'once');
    source.giveBack(worker);

    expect(worker).toBe(idle);
    expect(await exited).toBe(1);
    expect(pool.idleCount).toBe(0);
  });

  it('should terminate every idle worker on close, and only those', async () => {
    pool = newPool(2, 60_000);
    const [idle, busy] = [pool.take(), pool.take()];
    await Promise.all([echoOf(idle, 1), echoOf(busy, 2)]);
    pool.giveBack(idle);
    const idleExited = exitOf(idle);

    await closeIdleWorkerPools();

    expect(await idleExited).toBe(1);
    expect(pool.idleCount).toBe(0);
    expect((await echoOf(busy, 'still here')).message).toBe('still here');
  });
});

describe('IdleWorkerPool.keepReady', () => {
  let started: Worker[];
  let warmedUp: Worker[];
  let pool: IdleWorkerPool;
  const newPool = (maxIdle: number, idleMs: number): IdleWorkerPool => echoPool(started, maxIdle, idleMs);
  const warmUp = async (worker: Worker): Promise<void> => {
    await echoOf(worker, 'warm-up');
    warmedUp.push(worker);
  };

  beforeEach(() => {
    started = [];
    warmedUp = [];
  });

  afterEach(async () => {
    await pool.close();
    await Promise.all(started.map((worker) => worker.terminate()));
  });

  /** Resolves once the pool has `count` idle workers (the jest timeout bounds it). */
  async function idleCountReaches(count: number): Promise<void> {
    while (pool.idleCount !== count) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('should start and warm up count workers, at most maxIdle', async () => {
    pool = newPool(2, 60_000);

    await pool.keepReady({ count: 3, warmUp, replaceAfterMs: 0 });

    expect(started).toHaveLength(2);
    // Warmed up in whichever order they finish (compared by identity: a Worker is not compared deeply).
    expect(warmedUp).toHaveLength(2);
    expect(started.every((worker) => warmedUp.includes(worker))).toBe(true);
    expect(pool.idleCount).toBe(2);
  });

  it('should keep the workers still warming when keepReady is called again, and start no more', async () => {
    pool = newPool(2, 60_000);

    const first = pool.keepReady({ count: 2, warmUp, replaceAfterMs: 0 });
    await pool.keepReady({ count: 2, warmUp, replaceAfterMs: 0 });
    await first;

    expect(started).toHaveLength(2);
    expect(pool.idleCount).toBe(2);
  });

  it('should keep the ready workers past idleMs, and a worker given back past them only for idleMs', async () => {
    pool = newPool(3, 20);
    await pool.keepReady({ count: 2, warmUp, replaceAfterMs: 0 });
    const [first, second, third] = [pool.take(), pool.take(), pool.take()];
    await echoOf(third, 'used');
    const thirdExited = exitOf(third);

    [first, second, third].forEach((worker) => pool.giveBack(worker));

    expect(await thirdExited).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pool.idleCount).toBe(2);
    expect(pool.take()).toBe(first);
    expect(pool.take()).toBe(second);
  });

  it('should replace a ready worker used up through takingOnly, replaceAfterMs later', async () => {
    pool = newPool(2, 60_000);
    await pool.keepReady({ count: 1, warmUp, replaceAfterMs: 0 });
    const [ready] = started;
    const source = pool.takingOnly();

    const worker = source.take();
    const exited = exitOf(worker);
    source.giveBack(worker);

    expect(worker).toBe(ready);
    expect(await exited).toBe(1);
    await idleCountReaches(1);
    expect(started).toHaveLength(2);
    expect(warmedUp[1]).toBe(started[1]);
    expect(pool.take()).toBe(started[1]);
  });

  it('should wait for replaceAfterMs without a worker taken before replacing one', async () => {
    pool = newPool(2, 60_000);
    await pool.keepReady({ count: 1, warmUp, replaceAfterMs: 1_000 });
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const source = pool.takingOnly();
      void source.discard(source.take());

      jest.advanceTimersByTime(600);
      const busy = pool.take();
      expect(started).toHaveLength(2);
      jest.advanceTimersByTime(600);
      // 1,200 ms after the discard, but only 600 after the last take: not yet.
      expect(started).toHaveLength(2);
      jest.advanceTimersByTime(400);
      expect(started).toHaveLength(3);
      await busy.terminate();
    } finally {
      jest.useRealTimers();
    }
    await idleCountReaches(1);
    expect(pool.take()).toBe(started[2]);
  });

  it('should terminate a worker whose warm-up fails, and not keep it', async () => {
    pool = newPool(2, 60_000);

    await pool.keepReady({
      count: 1,
      warmUp: async (worker) => {
        await echoOf(worker, 'throw');
      },
      replaceAfterMs: 60_000,
    });

    expect(started).toHaveLength(1);
    expect(pool.idleCount).toBe(0);
  });

  it('should keep none ready after close: a warm-up in flight ends with its worker terminated', async () => {
    pool = newPool(2, 60_000);
    let release: () => void = () => undefined;
    const ready = pool.keepReady({
      count: 1,
      warmUp: () => new Promise<void>((resolve) => (release = resolve)),
      replaceAfterMs: 0,
    });
    const exited = exitOf(started[0]);

    await pool.close();
    release();
    await ready;

    await exited;
    expect(pool.idleCount).toBe(0);
  });
});

describe('singleUseWorkers', () => {
  it('should start a new worker each time and terminate the one given back', async () => {
    const source = singleUseWorkers(() => new Worker(ECHO_WORKER, { eval: true }));
    const worker = source.take();
    await echoOf(worker, 'once');
    const exited = exitOf(worker);

    source.giveBack(worker);

    expect(await exited).toBe(1);
    const next = source.take();
    expect(next).not.toBe(worker);
    await next.terminate();
  });
});
