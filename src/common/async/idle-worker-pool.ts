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
}

export interface IdleWorkerPoolOptions {
  /** Most workers kept idle; one given back past this is terminated. */
  maxIdle: number;
  /** An idle worker not taken within this long is terminated. */
  idleMs: number;
}

/**
 * Worker threads of one kind, kept for a while after use: a thread takes ~50 ms to start and its
 * modules as long again to load, and its code is only fast once the JIT has seen it run, so the next
 * large request within `idleMs` starts on warm threads. An idle worker never keeps the process alive,
 * and one that dies while idle is dropped.
 */
export class IdleWorkerPool implements WorkerSource {
  private readonly idle = new Map<Worker, { timer: NodeJS.Timeout; onGone: () => void }>();

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

  /** Its workers, idle ones first, terminated after use instead of kept (a job that leaves a large heap). */
  takingOnly(): WorkerSource {
    return { take: () => this.take(), giveBack: (worker) => void worker.terminate() };
  }

  /** Terminates every idle worker. */
  async close(): Promise<void> {
    const workers = [...this.idle.keys()];
    workers.forEach((worker) => this.unwatch(worker));
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private keep(worker: Worker): void {
    const onGone = (): void => {
      this.unwatch(worker);
    };
    const timer = setTimeout(() => {
      this.unwatch(worker);
      void worker.terminate();
    }, this.options.idleMs);
    timer.unref();
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
  return {
    take: create,
    giveBack: (worker) => void worker.terminate(),
  };
}
