interface Entry {
  due: number;
  seq: number;
  run: (arg: never, due: number) => void;
  arg: unknown;
}

// Work done per timer tick before yielding, so the HTTP server stays responsive under load.
const BATCH_PER_TICK = 20_000;

/**
 * One timer for everything: a min-heap of (due time, insertion order) tasks. Scheduling 1M messages
 * costs 1M heap entries, not 1M timers.
 */
export class SandboxScheduler {
  private readonly heap: Entry[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Number.POSITIVE_INFINITY;
  private immediate: NodeJS.Immediate | undefined;
  private stopped = false;

  constructor(private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.heap.length;
  }

  /** Runs `run(arg, due)` at `due` (epoch ms); `due` lets the task stamp the time it was meant to run. */
  at<T>(due: number, run: (arg: T, due: number) => void, arg: T): void {
    if (this.stopped) {
      return;
    }
    this.push({ due, seq: this.seq++, run: run, arg });
    if (due < this.timerDue && this.immediate === undefined) {
      this.arm();
    }
  }

  clear(): void {
    this.heap.length = 0;
    this.disarm();
  }

  stop(): void {
    this.stopped = true;
    this.clear();
  }

  private arm(): void {
    this.disarm();
    if (this.heap.length === 0 || this.stopped) {
      return;
    }
    const due = this.heap[0].due;
    this.timerDue = due;
    this.timer = setTimeout(() => this.drain(), Math.max(0, due - this.now()));
  }

  private disarm(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.immediate !== undefined) {
      clearImmediate(this.immediate);
      this.immediate = undefined;
    }
    this.timerDue = Number.POSITIVE_INFINITY;
  }

  private drain(): void {
    this.timer = undefined;
    this.immediate = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    const now = this.now();
    let done = 0;
    while (this.heap.length > 0 && this.heap[0].due <= now && done < BATCH_PER_TICK && !this.stopped) {
      const entry = this.pop();
      done++;
      (entry.run as (arg: unknown, due: number) => void)(entry.arg, entry.due);
    }
    if (this.stopped) {
      return;
    }
    if (this.heap.length > 0 && this.heap[0].due <= now) {
      this.immediate = setImmediate(() => this.drain());
    } else {
      this.arm();
    }
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent])) {
        break;
      }
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): Entry {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop() as Entry;
    if (heap.length > 0) {
      let i = 0;
      const n = heap.length;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) {
          break;
        }
        const right = left + 1;
        const child = right < n && before(heap[right], heap[left]) ? right : left;
        if (!before(heap[child], last)) {
          break;
        }
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
