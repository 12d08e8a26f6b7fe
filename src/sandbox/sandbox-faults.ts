import { SandboxOptions } from './sandbox.options';
import { createRandom, Random } from './sandbox-random';

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'error'; status: number; accepted: boolean }
  | { kind: 'timeout' }
  | { kind: 'reset'; accepted: boolean };

type FaultOptions = Pick<
  SandboxOptions,
  | 'seed'
  | 'errorRate'
  | 'errorStatus'
  | 'errorAccepts'
  | 'timeoutRate'
  | 'resetRate'
  | 'resetMode'
  | 'stormStartMs'
  | 'stormDurationMs'
>;

/**
 * Injected API faults. One seeded stream decides per request, so a run with the same seed and the
 * same request order injects the same faults.
 */
export class SandboxFaults {
  private random: Random;
  private stormFrom = 0;
  private stormUntil = 0;

  constructor(
    private options: FaultOptions,
    now: number,
  ) {
    this.random = createRandom(options.seed);
    this.setStorm(now);
  }

  /** Applies new knobs; a restarted storm window counts from `now`. */
  reconfigure(options: FaultOptions, now: number, change: { reseed?: boolean; restartStorm?: boolean }): void {
    this.options = options;
    if (change.reseed) {
      this.random = createRandom(options.seed);
    }
    if (change.restartStorm) {
      this.setStorm(now);
    }
  }

  inStorm(now: number): boolean {
    return now >= this.stormFrom && now < this.stormUntil;
  }

  decide(): FaultDecision {
    const { errorRate, timeoutRate, resetRate } = this.options;
    if (errorRate + timeoutRate + resetRate <= 0) {
      return { kind: 'none' };
    }
    const draw = this.random();
    if (draw < resetRate) {
      return { kind: 'reset', accepted: this.options.resetMode === 'after' };
    }
    if (draw < resetRate + timeoutRate) {
      return { kind: 'timeout' };
    }
    if (draw < resetRate + timeoutRate + errorRate) {
      return { kind: 'error', status: this.options.errorStatus, accepted: this.errorAccepts(this.options.errorStatus) };
    }
    return { kind: 'none' };
  }

  private errorAccepts(status: number): boolean {
    switch (this.options.errorAccepts) {
      case 'always':
        return true;
      case 'never':
        return false;
      case 'auto':
        // 500/502/504 model a failure after Plivo queued the batch; 503 and 4xx never get that far.
        return status === 500 || status === 502 || status === 504;
    }
  }

  private setStorm(now: number): void {
    this.stormFrom = now + this.options.stormStartMs;
    this.stormUntil = this.options.stormDurationMs > 0 ? this.stormFrom + this.options.stormDurationMs : 0;
  }
}
