export interface WakeableLoopOptions {
  /** One pass; resolves true when more work is waiting, so the next pass starts at once. */
  pass: () => Promise<boolean>;
  /**
   * How long the loop sleeps after a pass that left nothing waiting, unless woken; a function is asked
   * before each sleep (a loop that slows down while it finds nothing to do).
   */
  intervalMs: number | (() => number);
  /** How long the loop pauses after a failed pass; a wake-up does not cut it short. */
  errorPauseMs: number;
  /** Reports a failed pass (the loop goes on after its pause). */
  onError: (error: unknown) => void;
  /** How long the loop waits before its first pass (default: it starts at once); a wake-up ends the wait. */
  firstPassAfterMs?: number;
}

/**
 * A background loop that runs a pass, then sleeps for an interval or until woken: the shape of the
 * services that drain a table (report applier, consent processor, consent replies, webhook worker)
 * and of the periodic housekeeping (Message partitions, retention).
 * Passes never overlap. A wake-up during a pass makes one more pass follow it at once.
 */
export class WakeableLoop {
  // Each start() gets its own id; a run whose id is no longer current ends after its pass.
  private currentRun = 0;
  private active = false;
  private finished: Promise<void> = Promise.resolve();
  private wakePending = false;
  private endSleep: (() => void) | undefined;
  private sleepEndsOnWake = false;

  constructor(private readonly options: WakeableLoopOptions) {}

  start(): void {
    if (this.active) {
      return;
    }
    this.active = true;
    const run = ++this.currentRun;
    // A previous run still finishing its pass (stop() not awaited) ends first.
    this.finished = this.finished.then(() => this.run(run));
  }

  /** Ends the loop; resolves once the pass under way, if any, has finished. */
  async stop(): Promise<void> {
    if (this.active) {
      this.active = false;
      this.currentRun++;
    }
    this.endSleep?.();
    await this.finished;
  }

  /** Something is waiting: pass now rather than at the next interval. */
  wake(): void {
    this.wakePending = true;
    if (this.sleepEndsOnWake) {
      this.endSleep?.();
    }
  }

  private async run(run: number): Promise<void> {
    if (this.options.firstPassAfterMs !== undefined) {
      await this.sleep(run, this.options.firstPassAfterMs, true);
    }
    while (run === this.currentRun) {
      this.wakePending = false;
      let more: boolean;
      try {
        more = await this.options.pass();
      } catch (error) {
        this.options.onError(error);
        await this.sleep(run, this.options.errorPauseMs, false);
        continue;
      }
      if (!more && !this.wakePending) {
        const { intervalMs } = this.options;
        await this.sleep(run, typeof intervalMs === 'number' ? intervalMs : intervalMs(), true);
      }
    }
  }

  private sleep(run: number, ms: number, endsOnWake: boolean): Promise<void> {
    if (run !== this.currentRun) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.endSleep = undefined;
        this.sleepEndsOnWake = false;
        resolve();
      };
      // The loop never keeps the process alive by itself: whoever owns it does.
      const timer = setTimeout(done, ms);
      timer.unref();
      this.endSleep = done;
      this.sleepEndsOnWake = endsOnWake;
    });
  }
}
