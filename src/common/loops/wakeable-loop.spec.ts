import { WakeableLoop } from './wakeable-loop';

const INTERVAL_MS = 60_000;
const ERROR_PAUSE_MS = 1_000;

/** A pass the test finishes by hand, so it sees exactly when each pass starts and ends. */
function controlledPasses() {
  const pending: Array<{ resolve: (more: boolean) => void; reject: (error: Error) => void }> = [];
  let started = 0;
  return {
    pass: (): Promise<boolean> => {
      started++;
      return new Promise<boolean>((resolve, reject) => pending.push({ resolve, reject }));
    },
    started: () => started,
    finish: (more = false) => pending.shift()?.resolve(more),
    fail: (error: Error) => pending.shift()?.reject(error),
    inProgress: () => pending.length,
  };
}

function newLoop(
  passes: ReturnType<typeof controlledPasses>,
  onError: (error: unknown) => void = () => undefined,
  firstPassAfterMs?: number,
) {
  return new WakeableLoop({
    pass: passes.pass,
    intervalMs: INTERVAL_MS,
    errorPauseMs: ERROR_PAUSE_MS,
    onError,
    firstPassAfterMs,
  });
}

// Lets the loop's promise continuations run.
const settle = () => jest.advanceTimersByTimeAsync(0);

describe(WakeableLoop.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  describe('start', () => {
    it('should run a pass at once, then sleep for the interval before the next', async () => {
      const passes = controlledPasses();
      const loop = newLoop(passes);
      loop.start();
      await settle();
      expect(passes.started()).toBe(1);

      passes.finish();
      await jest.advanceTimersByTimeAsync(INTERVAL_MS - 1);
      expect(passes.started()).toBe(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(passes.started()).toBe(2);

      passes.finish();
      await loop.stop();
    });

    it('should run the next pass at once when a pass says more is waiting', async () => {
      const passes = controlledPasses();
      const loop = newLoop(passes);
      loop.start();
      await settle();
      passes.finish(true);
      await settle();
      expect(passes.started()).toBe(2);

      passes.finish();
      await loop.stop();
    });

    it('should ask an interval given as a function before each sleep', async () => {
      const passes = controlledPasses();
      const intervals = [100, 5_000];
      const loop = new WakeableLoop({
        pass: passes.pass,
        intervalMs: () => intervals.shift() ?? INTERVAL_MS,
        errorPauseMs: ERROR_PAUSE_MS,
        onError: () => undefined,
      });
      loop.start();
      await settle();
      passes.finish();
      await jest.advanceTimersByTimeAsync(100);
      expect(passes.started()).toBe(2);
      passes.finish();
      await jest.advanceTimersByTimeAsync(4_999);
      expect(passes.started()).toBe(2);
      await jest.advanceTimersByTimeAsync(1);
      expect(passes.started()).toBe(3);

      passes.finish();
      await loop.stop();
    });

    it('should not start a second loop when called twice', async () => {
      const passes = controlledPasses();
      const loop = newLoop(passes);
      loop.start();
      loop.start();
      await settle();
      expect(passes.inProgress()).toBe(1);

      passes.finish();
      await loop.stop();
    });
  });

  describe('firstPassAfterMs', () => {
    const FIRST_PASS_AFTER_MS = 5_000;

    it('should wait that long before the first pass', async () => {
      const passes = controlledPasses();
      const loop = newLoop(passes, undefined, FIRST_PASS_AFTER_MS);
      loop.start();
      await jest.advanceTimersByTimeAsync(FIRST_PASS_AFTER_MS - 1);
      expect(passes.started()).toBe(0);
      await jest.advanceTimersByTimeAsync(1);
      expect(passes.started()).toBe(1);

      passes.finish();
      await loop.stop();
    });

    it('should end at once, with no pass, when stopped during the wait', async () => {
      const passes = controlledPasses();
      const loop = newLoop(passes, undefined, FIRST_PASS_AFTER_MS);
      loop.start();
      await settle();

      await loop.stop();
      await jest.advanceTimersByTimeAsync(FIRST_PASS_AFTER_MS * 2);
      expect(passes.started()).toBe(0);
    });
  });

  describe('wake', () => {
    it('should end the sleep early', async () => {
      const passes = controlledPasses();
      const loop = newLoop(passes);
      loop.start();
      await settle();
      passes.finish();
      await settle();

      loop.wake();
      await settle();
      expect(passes.started()).toBe(2);

      passes.finish();
      await loop.stop();
    });

    it('should make exactly one more pass follow a pass under way, however often it is called', async () => {
      const passes = controlledPasses();
      const loop = newLoop(passes);
      loop.start();
      await settle();
      loop.wake();
      loop.wake();
      loop.wake();
      passes.finish();
      await settle();
      expect(passes.started()).toBe(2);

      passes.finish();
      await settle();
      expect(passes.started()).toBe(2);

      await loop.stop();
    });
  });

  describe('stop', () => {
    it('should resolve only once the pass under way has finished, and start no other pass', async () => {
      const passes = controlledPasses();
      const loop = newLoop(passes);
      loop.start();
      await settle();

      let stopped = false;
      const stopping = loop.stop().then(() => (stopped = true));
      loop.wake();
      await settle();
      expect(stopped).toBe(false);

      passes.finish(true);
      await stopping;
      await jest.advanceTimersByTimeAsync(INTERVAL_MS * 2);
      expect(passes.started()).toBe(1);
    });

    it('should end a sleeping loop at once', async () => {
      const passes = controlledPasses();
      const loop = newLoop(passes);
      loop.start();
      await settle();
      passes.finish();
      await settle();

      await loop.stop();
      loop.wake();
      await jest.advanceTimersByTimeAsync(INTERVAL_MS * 2);
      expect(passes.started()).toBe(1);
    });

    it('should let the loop start again, with no pass overlapping the previous run’s last one', async () => {
      const passes = controlledPasses();
      const loop = newLoop(passes);
      loop.start();
      await settle();

      const stopping = loop.stop();
      loop.start();
      await settle();
      expect(passes.inProgress()).toBe(1);

      passes.finish();
      await stopping;
      await settle();
      expect(passes.started()).toBe(2);

      passes.finish();
      await loop.stop();
    });
  });

  describe('a failed pass', () => {
    it('should be reported, and the loop should go on after its pause, which a wake-up does not cut short', async () => {
      const passes = controlledPasses();
      const errors: unknown[] = [];
      const loop = newLoop(passes, (error) => errors.push(error));
      loop.start();
      await settle();

      const failure = new Error('database unavailable');
      passes.fail(failure);
      await settle();
      expect(errors).toEqual([failure]);

      loop.wake();
      await jest.advanceTimersByTimeAsync(ERROR_PAUSE_MS - 1);
      expect(passes.started()).toBe(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(passes.started()).toBe(2);

      passes.finish();
      await loop.stop();
    });

    it('should not hold up stop during its pause', async () => {
      const passes = controlledPasses();
      const loop = newLoop(passes);
      loop.start();
      await settle();
      passes.fail(new Error('boom'));
      await settle();

      await loop.stop();
      await jest.advanceTimersByTimeAsync(ERROR_PAUSE_MS * 2);
      expect(passes.started()).toBe(1);
    });
  });
});
