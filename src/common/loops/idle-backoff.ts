export interface IdleBackoffOptions {
  /** The interval while passes find work. */
  busyIntervalMs: number;
  /** The interval once `emptyPassesBeforeIdle` passes in a row found nothing (never below busyIntervalMs). */
  idleIntervalMs: number;
  emptyPassesBeforeIdle: number;
}

/**
 * The sleep of a polling loop that is also woken when work arrives (WakeableLoop's `intervalMs`): the busy
 * interval while passes find work, a longer one once they have found nothing for a while. The poll of an
 * idle loop only looks for what no wake-up announced (work stored by another instance, retries coming due),
 * so it need not run often; a pass that finds work brings the busy interval back at once.
 */
export class IdleBackoff {
  private emptyPasses = 0;

  constructor(private readonly options: IdleBackoffOptions) {}

  /** Records what a pass found (items claimed or processed). */
  passFound(count: number): void {
    this.emptyPasses = count > 0 ? 0 : this.emptyPasses + 1;
  }

  intervalMs(): number {
    const { busyIntervalMs, idleIntervalMs, emptyPassesBeforeIdle } = this.options;
    return this.emptyPasses < emptyPassesBeforeIdle ? busyIntervalMs : Math.max(busyIntervalMs, idleIntervalMs);
  }
}
