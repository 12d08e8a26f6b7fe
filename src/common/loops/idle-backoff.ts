export interface IdleBackoffOptions {
  /** The interval while passes find work. */
  busyIntervalMs: number;
  /** The interval once passes have found nothing for `idleAfterMs` (never below busyIntervalMs). */
  idleIntervalMs: number;
  /** How long passes at the busy interval find nothing before the loop slows down. */
  idleAfterMs: number;
}

/**
 * The sleep of a polling loop that is also woken when work arrives (a WakeableLoop's `intervalMs`, the
 * dispatcher's poller): the busy interval while passes find work, a longer one once they have found nothing
 * for a while. The poll of an idle loop only looks for what no wake-up announced (work stored by another
 * instance, retries coming due), so it need not run often; a pass that finds work brings the busy interval
 * back at once. Passes are counted, not timed: `idleAfterMs` is that many busy intervals.
 */
export class IdleBackoff {
  private readonly emptyPassesBeforeIdle: number;
  private emptyPasses = 0;

  constructor(private readonly options: IdleBackoffOptions) {
    this.emptyPassesBeforeIdle = Math.max(1, Math.ceil(options.idleAfterMs / options.busyIntervalMs));
  }

  /** Records what a pass found (items claimed or processed). */
  passFound(count: number): void {
    this.emptyPasses = count > 0 ? 0 : this.emptyPasses + 1;
  }

  /** Whether the loop has slowed down. */
  get idle(): boolean {
    return this.emptyPasses >= this.emptyPassesBeforeIdle;
  }

  /** Work may be coming (announced some other way than a pass): the busy interval again. */
  reset(): void {
    this.emptyPasses = 0;
  }

  intervalMs(): number {
    const { busyIntervalMs, idleIntervalMs } = this.options;
    return this.emptyPasses < this.emptyPassesBeforeIdle ? busyIntervalMs : Math.max(busyIntervalMs, idleIntervalMs);
  }
}
