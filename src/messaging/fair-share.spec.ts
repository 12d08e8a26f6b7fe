import { fairShareFinishMs, nextTurn } from './fair-share';

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

describe('nextTurn', () => {
  interface Simulated {
    name: string;
    priority: number;
    batches: number;
    /** The claim from which it is waiting to send (sendBulk): 0 unless said. */
    from?: number;
    /** Claims [from, to) during which it is paused. */
    paused?: [number, number];
  }

  /**
   * The dispatcher's claims, simulated: of the campaigns with a batch waiting, the one whose turn comes
   * first (none yet: first; a tie: the one listed first) is claimed; its turn and the virtual time move on
   * by nextTurn (each batch takes `batchMs` to send, over its priority), and the clock moves on by
   * `msPerClaim`: a batch's send time when the provider's rate limit paces the claims, 0 when it does not.
   * Returns the campaigns' names in claim order.
   */
  function claims(
    campaigns: Simulated[],
    { batchMs, msPerClaim, count }: { batchMs: number; msPerClaim: number; count: number },
  ): string[] {
    const state = campaigns.map((c) => ({ ...c, left: c.batches, turnAtMs: null as number | null }));
    let virtualTurnAtMs: number | null = null;
    let nowMs = Date.UTC(2030, 0, 1);
    const order: string[] = [];
    for (let claim = 0; claim < count; claim++) {
      const due = state.filter(
        (c) => c.left > 0 && (c.from ?? 0) <= claim && !(c.paused && c.paused[0] <= claim && claim < c.paused[1]),
      );
      if (due.length === 0) {
        break;
      }
      const next = due.reduce((a, b) => ((b.turnAtMs ?? -Infinity) < (a.turnAtMs ?? -Infinity) ? b : a));
      const turn = nextTurn({ turnAtMs: next.turnAtMs, virtualTurnAtMs, nowMs }, batchMs / next.priority);
      next.turnAtMs = turn.turnAtMs;
      virtualTurnAtMs = turn.startMs;
      next.left -= 1;
      order.push(next.name);
      nowMs += msPerClaim;
    }
    return order;
  }
  const count = (order: string[], name: string) => order.filter((n) => n === name).length;
  // 200 recipients a batch at 20 MPS: 10 s of sending each.
  const batchMs = 10_000;

  for (const [regime, msPerClaim] of [
    ['the rate limit paces the claims (a batch send time apart)', batchMs],
    ['claims come faster than the batches send', 0],
  ] as const) {
    describe(`when ${regime}`, () => {
      it('should give a priority-4 campaign four batches for every one of a priority-1 campaign', () => {
        const order = claims(
          [
            { name: 'p1', priority: 1, batches: 100 },
            { name: 'p4', priority: 4, batches: 100 },
          ],
          { batchMs, msPerClaim, count: 50 },
        );
        expect(count(order, 'p4')).toBe(40);
        // And evenly: one in every five claims.
        for (let i = 0; i < 50; i += 5) {
          expect(count(order.slice(i, i + 5), 'p1')).toBe(1);
        }
      });

      it('should give priority 10 ten batches for every one of priority 1, and equal priorities one each', () => {
        const tenToOne = claims(
          [
            { name: 'p1', priority: 1, batches: 100 },
            { name: 'p10', priority: 10, batches: 100 },
          ],
          { batchMs, msPerClaim, count: 55 },
        );
        expect(count(tenToOne, 'p1')).toBe(5);
        const equal = claims(
          [
            { name: 'a', priority: 3, batches: 100 },
            { name: 'b', priority: 3, batches: 100 },
          ],
          { batchMs, msPerClaim, count: 20 },
        );
        expect(equal.join(' ')).toBe('a b '.repeat(10).trim());
      });

      it('should send a campaign started during another at the next claim, then at its share', () => {
        const order = claims(
          [
            { name: 'big', priority: 1, batches: 1_000 },
            { name: 'alert', priority: 1, batches: 1, from: 20 },
            { name: 'second', priority: 2, batches: 1_000, from: 30 },
          ],
          { batchMs, msPerClaim, count: 60 },
        );
        expect(order[20]).toBe('alert');
        expect(order[30]).toBe('second');
        // From then on 2:1, not the second campaign's every batch until its turn caught up with the first's.
        expect(count(order.slice(30, 60), 'second')).toBe(20);
      });

      it('should not let a campaign that was paused make up for the time it sent nothing', () => {
        const order = claims(
          [
            { name: 'other', priority: 1, batches: 1_000 },
            { name: 'back', priority: 1, batches: 1_000, paused: [10, 30] },
          ],
          { batchMs, msPerClaim, count: 50 },
        );
        expect(order.slice(0, 10).join(' ')).toBe('other back '.repeat(5).trim());
        expect(count(order.slice(10, 30), 'back')).toBe(0);
        // Resumed: one each again (its first batch comes first: its old turn is the earliest), not
        // ten batches in a row to make up for the twenty it missed.
        expect(order.slice(30, 50).join(' ')).toBe('back other '.repeat(10).trim());
      });
    });
  }

  it('should move a turn on from itself when it is ahead of the virtual time, however late the clock', () => {
    expect(nextTurn({ turnAtMs: 5_000, virtualTurnAtMs: 4_000, nowMs: 1_000_000 }, 2_500)).toEqual({
      startMs: 5_000,
      turnAtMs: 7_500,
    });
  });

  it('should start a turn behind the virtual time, or none, from the virtual time; the very first claim at the clock', () => {
    expect(nextTurn({ turnAtMs: 1_000, virtualTurnAtMs: 4_000, nowMs: 1_000_000 }, 10)).toEqual({
      startMs: 4_000,
      turnAtMs: 4_010,
    });
    expect(nextTurn({ turnAtMs: null, virtualTurnAtMs: 400, nowMs: 1_000 }, 10)).toEqual({
      startMs: 400,
      turnAtMs: 410,
    });
    expect(nextTurn({ turnAtMs: null, virtualTurnAtMs: null, nowMs: 1_000 }, 10)).toEqual({
      startMs: 1_000,
      turnAtMs: 1_010,
    });
  });
});
