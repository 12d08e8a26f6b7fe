import type { Worker } from 'node:worker_threads';

const pools = new Set<IdleWorkerPool>();

/** Terminates the idle workers of every pool (the service is shutting down). */
export async function closeIdleWorkerPools(): Promise<void> {
  await Promise.all([...pools].map((pool) => pool.close()));
}

/** Where a caller gets its worker threads, and gives them back when done. */
export interface WorkerSource {
  /** A started worker, for this caller alone until it gives it back. */
  take(): Worker;
  /**
   * The caller is done: nothing is in flight and every listener it added is removed. The worker may be
   * kept for the next caller, or terminated.
   */
  giveBack(worker: Worker): void;
  /** The caller is done with a worker that must not be used again (it failed, or holds a large heap): terminated. */
  discard(worker: Worker): Promise<void>;
}

export interface IdleWorkerPoolOptions {
  /** Most workers kept idle; one given back past this is terminated. */
  maxIdle: number;
  /** An idle worker not taken within this long is terminated (but those kept ready, `keepReady`). */
  idleMs: number;
}

/** Workers kept started and warm from now on, whether used or not (`IdleWorkerPool.keepReady`). */
export interface ReadyWorkers {
  count: number;
  /** Sample work for a new worker, so that its code is loaded and compiled before a request needs it. */
  warmUp: (worker: Worker) => Promise<void>;
  /**
   * A ready worker that was used up (terminated after a large job, or gone) is replaced once the pool has
   * had no worker taken for this long (default 30 s), not at once: a new thread and its warm-up would
   * compete for the cores with the rest of the request that used it (a campaign of 1,000,000 is stored for
   * ~6 s after its validation), or with the next large request.
   */
  replaceAfterMs?: number;
}

const REPLACE_AFTER_MS = 30_000;

/**
 * Worker threads of one kind, kept for a while after use: a thread takes ~50 ms to start and its
 * modules as long again to load, and its code is only fast once the JIT has seen it run, so the next
 * large request within `idleMs` starts on warm threads. An idle worker never keeps the process alive,
 * and one that dies while idle is dropped.
 */
export class IdleWorkerPool implements WorkerSource {
  private readonly idle = new Map<Worker, { timer?: NodeJS.Timeout; onGone: () => void }>();
  private ready: ReadyWorkers | undefined;
  private warming = 0;
  private replaceTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly start: () => Worker,
    private readonly options: IdleWorkerPoolOptions,
  ) {
    pools.add(this);
  }

  get idleCount(): number {
    return this.idle.size;
  }

  take(): Worker {
    // Work is going on: a replacement waits for it to be over (replaceAfterMs from now).
    if (this.replaceTimer) {
      this.replaceTimer.refresh();
    }
    const [pooled] = this.idle.keys();
    if (pooled === undefined) {
      return this.start();
    }
    this.unwatch(pooled);
    pooled.ref();
    return pooled;
  }

  giveBack(worker: Worker): void {
    if (this.idle.has(worker)) {
      return;
    }
    if (this.idle.size >= this.options.maxIdle) {
      void worker.terminate();
      return;
    }
    this.keep(worker);
  }

  async discard(worker: Worker): Promise<void> {
    this.replaceLater();
    await worker.terminate();
  }

  /** Its workers, idle ones first, terminated after use instead of kept (a job that leaves a large heap). */
  takingOnly(): WorkerSource {
    return {
      take: () => this.take(),
      giveBack: (worker) => void this.discard(worker),
      discard: (worker) => this.discard(worker),
    };
  }

  /**
   * Keeps `count` workers (at most maxIdle) started and warmed up, from now until `close`: the first
   * large request does not wait for threads to start and for their code to be compiled. They are
   * unref'd like every idle worker. Resolves once the workers started now are warm and idle (or
   * terminated, when their warm-up failed).
   */
  keepReady(ready: ReadyWorkers): Promise<void> {
    this.ready = { ...ready, count: Math.min(ready.count, this.options.maxIdle) };
    return this.fillReady();
  }

  /** Terminates every idle worker, and stops keeping any ready. */
  async close(): Promise<void> {
    this.ready = undefined;
    clearTimeout(this.replaceTimer);
    this.replaceTimer = undefined;
    const workers = [...this.idle.keys()];
    workers.forEach((worker) => this.unwatch(worker));
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private async fillReady(): Promise<void> {
    const ready = this.ready;
    const warmUps: Array<Promise<void>> = [];
    for (let i = this.idle.size + this.warming; ready && i < ready.count; i++) {
      const worker = this.start();
      worker.unref();
      this.warming++;
      warmUps.push(
        ready.warmUp(worker).then(
          () => {
            this.warming--;
            // Kept while the pool keeps any ready (a later keepReady call counted this one as warming).
            if (this.ready && this.idle.size < this.options.maxIdle) {
              this.keep(worker);
            } else {
              void worker.terminate();
            }
          },
          () => {
            this.warming--;
            void worker.terminate();
          },
        ),
      );
    }
    await Promise.all(warmUps);
  }

  private replaceLater(): void {
    if (!this.ready || this.replaceTimer) {
      return;
    }
    this.replaceTimer = setTimeout(() => {
      this.replaceTimer = undefined;
      void this.fillReady();
    }, this.ready.replaceAfterMs ?? REPLACE_AFTER_MS);
    this.replaceTimer.unref();
  }

  private keep(worker: Worker): void {
    const onGone = (): void => {
      this.unwatch(worker);
      this.replaceLater();
    };
    // Up to the ready count, an idle worker is kept for good; past it, for idleMs.
    const timer =
      this.idle.size < (this.ready?.count ?? 0)
        ? undefined
        : setTimeout(() => {
            this.unwatch(worker);
            void worker.terminate();
          }, this.options.idleMs);
    timer?.unref();
    // An idle worker's error must not become an uncaught exception: it is dropped with its exit.
    worker.on('error', onGone);
    worker.on('exit', onGone);
    worker.unref();
    this.idle.set(worker, { timer, onGone });
  }

  private unwatch(worker: Worker): void {
    const entry = this.idle.get(worker);
    if (!entry) {
      return;
    }
    clearTimeout(entry.timer);
    worker.off('error', entry.onGone);
    worker.off('exit', entry.onGone);
    this.idle.delete(worker);
  }
}

/** Workers made for one use each, then terminated: what a caller with its own factory gets. */
export function singleUseWorkers(create: () => Worker): WorkerSource {
  const discard = async (worker: Worker): Promise<void> => {
    await worker.terminate();
  };
  return { take: create, giveBack: (worker) => void discard(worker), discard };
}
