import { SandboxFaults } from './sandbox-faults';
import { SandboxMpsQueue } from './sandbox-mps-queue';
import { planOutcome } from './sandbox-outcomes';
import { countryByIso, countryOfNumber } from './sandbox-prices';
import { createRandom, randomFor } from './sandbox-random';
import { SandboxRateLimits } from './sandbox-rate-limits';
import { SandboxScheduler } from './sandbox-scheduler';
import { defaultSandboxOptions } from './sandbox.options';

describe(SandboxMpsQueue.name, () => {
  const rates = { mps: 5, mpsBySenderType: {}, timeScale: 1 };

  it('should space sends at 1/MPS and refuse slots that would wait past expiry', () => {
    const queue = new SandboxMpsQueue();
    const sendAts = Array.from({ length: 4 }, () => queue.reserve('long_code', 1000, rates, 500).sendAt);

    expect(sendAts).toEqual([1000, 1200, 1400, null]);
    expect(queue.depths()).toEqual({ account: 3 });
    // An expired message takes no slot: the next one with a longer expiry gets 1600.
    expect(queue.reserve('long_code', 1000, rates, 10_000).sendAt).toBe(1600);
  });

  it('should give a sender type its own lane when configured', () => {
    const queue = new SandboxMpsQueue();
    const split = { ...rates, mpsBySenderType: { toll_free: 25 } };
    queue.reserve('long_code', 0, split, 1e9);

    expect(queue.reserve('toll_free', 0, split, 1e9)).toEqual({ sendAt: 0, lane: 'toll_free' });
    expect(queue.reserve('toll_free', 0, split, 1e9)).toEqual({ sendAt: 40, lane: 'toll_free' });
    expect(queue.reserve('long_code', 0, split, 1e9)).toEqual({ sendAt: 200, lane: 'account' });
  });
});

describe(SandboxRateLimits.name, () => {
  it('should admit N per sliding window and M in flight', () => {
    const limits = new SandboxRateLimits(3, 1000, 2);

    expect(limits.admit(0)).toBe('ok');
    expect(limits.admit(10)).toBe('ok');
    expect(limits.admit(20)).toBe('concurrency');
    limits.release();
    limits.release();
    expect(limits.admit(30)).toBe('ok');
    limits.release();
    expect(limits.admit(40)).toBe('rate');
    expect(limits.retryAfterMs(40)).toBe(960);
    expect(limits.admit(1000)).toBe('ok');
  });
});

describe(SandboxScheduler.name, () => {
  it('should run tasks by due time, then insertion order, passing the due time', async () => {
    const scheduler = new SandboxScheduler();
    const ran: string[] = [];
    const now = Date.now();
    scheduler.at(now + 20, (x: string, due) => ran.push(`${x}@${due - now}`), 'c');
    scheduler.at(now, (x: string) => ran.push(x), 'a');
    scheduler.at(now, (x: string) => ran.push(x), 'b');

    await new Promise((resolve) => setTimeout(resolve, 40));

    expect(ran).toEqual(['a', 'b', 'c@20']);
    expect(scheduler.size).toBe(0);
    scheduler.stop();
  });

  it('should run nothing after stop', async () => {
    const scheduler = new SandboxScheduler();
    const run = jest.fn();
    scheduler.at(Date.now(), run, 1);
    scheduler.stop();
    scheduler.at(Date.now(), run, 2);

    await new Promise((resolve) => setTimeout(resolve, 10));

    expect(run).not.toHaveBeenCalled();
  });
});

describe(SandboxFaults.name, () => {
  const decisions = (seed: number) => {
    const faults = new SandboxFaults(
      { ...defaultSandboxOptions(), seed, errorRate: 0.2, errorStatus: 503, timeoutRate: 0.1, resetRate: 0.1 },
      0,
    );
    return Array.from({ length: 50 }, () => faults.decide().kind);
  };

  it('should repeat the same decisions for the same seed', () => {
    expect(decisions(3)).toEqual(decisions(3));
    expect(decisions(3)).not.toEqual(decisions(4));
    expect(new Set(decisions(3))).toEqual(new Set(['none', 'error', 'timeout', 'reset']));
  });

  it('should decide whether an error came after acceptance', () => {
    const make = (errorStatus: number, errorAccepts: 'auto' | 'always' | 'never') =>
      new SandboxFaults({ ...defaultSandboxOptions(), errorRate: 1, errorStatus, errorAccepts }, 0).decide();

    expect(make(500, 'auto')).toEqual({ kind: 'error', status: 500, accepted: true });
    expect(make(503, 'auto')).toEqual({ kind: 'error', status: 503, accepted: false });
    expect(make(503, 'always')).toEqual({ kind: 'error', status: 503, accepted: true });
    expect(make(500, 'never')).toEqual({ kind: 'error', status: 500, accepted: false });
  });

  it('should answer 429 only inside the storm window', () => {
    const faults = new SandboxFaults({ ...defaultSandboxOptions(), stormStartMs: 100, stormDurationMs: 50 }, 1000);

    expect([1099, 1100, 1149, 1150].map((t) => faults.inStorm(t))).toEqual([false, true, true, false]);
  });
});

describe(planOutcome.name, () => {
  it('should follow the mix with real error codes and honour forced outcomes', () => {
    const random = createRandom(1);
    const plans = Array.from({ length: 2000 }, () =>
      planOutcome(random, { delivered: 0.7, undelivered: 0.1, failed: 0.1, rejected: 0.1 }),
    );
    const delivered = plans.filter((p) => p.status === 'delivered').length;

    expect(delivered).toBeGreaterThan(1300);
    expect(delivered).toBeLessThan(1500);
    expect(plans.filter((p) => p.status === 'delivered').every((p) => p.errorCode === null)).toBe(true);
    expect(new Set(plans.filter((p) => p.status === 'undelivered').map((p) => p.errorCode))).toEqual(
      new Set(['80', '20', '50', '70', '200', '100']),
    );
    expect(planOutcome(random, { delivered: 1, undelivered: 0, failed: 0, rejected: 0 }, { status: 'failed' })).toEqual(
      { status: 'failed', errorCode: '300' },
    );
  });

  it('should be reproducible per number and submission', () => {
    const mix = { delivered: 0.5, undelivered: 0.5, failed: 0, rejected: 0 };
    const of = (seed: number, n: number) =>
      Array.from({ length: 30 }, (_, i) => planOutcome(randomFor(seed, `4477009000${i}`, n), mix).status);

    expect(of(1, 0)).toEqual(of(1, 0));
    expect(of(1, 0)).not.toEqual(of(1, 1));
  });
});

describe('sandbox prices', () => {
  it('should map numbers to countries by calling code', () => {
    expect(countryOfNumber('447700900001')?.iso).toBe('GB');
    expect(countryOfNumber('2348031234567')?.iso).toBe('NG');
    expect(countryOfNumber('971501234567')?.iso).toBe('AE');
    expect(countryOfNumber('16135550100')?.iso).toBe('CA');
    expect(countryOfNumber('12125550100')?.iso).toBe('US');
    expect(countryOfNumber('999123456789')).toBeUndefined();
  });

  it('should hold 5-decimal rates with at least one network per country', () => {
    for (const iso of [
      'US',
      'CA',
      'GB',
      'DE',
      'FR',
      'IN',
      'BR',
      'MX',
      'AU',
      'ES',
      'IT',
      'NL',
      'SE',
      'PL',
      'ZA',
      'NG',
      'KE',
      'PH',
      'ID',
      'JP',
      'SG',
      'AE',
      'TR',
      'AR',
      'CO',
    ]) {
      const country = countryByIso(iso);
      expect(country?.rate).toMatch(/^\d\.\d{5}$/);
      expect(country?.networks.length).toBeGreaterThan(0);
    }
  });
});
