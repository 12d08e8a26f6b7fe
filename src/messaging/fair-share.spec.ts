import { fairShareFinishMs } from './fair-share';

describe('fairShareFinishMs', () => {
  it('should take remaining / mps when the campaign sends alone', () => {
    expect(fairShareFinishMs({ remaining: 1_000, priority: 1 }, [], 100)).toBe(10_000);
  });

  it('should halve the rate while an equal campaign sends, and give the whole rate back when it is done', () => {
    // 100 messages each at 100 MPS shared: both finish after 2 s.
    expect(fairShareFinishMs({ remaining: 100, priority: 1 }, [{ remaining: 100, priority: 1 }], 100)).toBe(2_000);
    // The small one (10) finishes at 0.2 s; the big one (1,000) has 990 left at the full 100 MPS: 10.1 s.
    expect(fairShareFinishMs({ remaining: 1_000, priority: 1 }, [{ remaining: 10, priority: 1 }], 100)).toBe(10_100);
    expect(fairShareFinishMs({ remaining: 10, priority: 1 }, [{ remaining: 1_000_000, priority: 1 }], 100)).toBe(200);
  });

  it('should give a higher priority the larger share', () => {
    // Priority 4 against 1: 80 of every 100 messages per second.
    expect(fairShareFinishMs({ remaining: 800, priority: 4 }, [{ remaining: 100_000, priority: 1 }], 100)).toBe(10_000);
    expect(fairShareFinishMs({ remaining: 200, priority: 1 }, [{ remaining: 100_000, priority: 4 }], 100)).toBe(10_000);
  });

  it('should be zero for a campaign with nothing left, and ignore finished ones', () => {
    expect(fairShareFinishMs({ remaining: 0, priority: 1 }, [{ remaining: 5, priority: 1 }], 10)).toBe(0);
    expect(fairShareFinishMs({ remaining: 50, priority: 1 }, [{ remaining: 0, priority: 1 }], 10)).toBe(5_000);
  });
});
