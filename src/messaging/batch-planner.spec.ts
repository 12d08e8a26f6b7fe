import { planBatches } from './batch-planner';

const recipients = (n: number) => ({
  phones: Array.from({ length: n }, (_, i) => `+1415555${String(i).padStart(4, '0')}`),
  countries: Array.from({ length: n }, () => 'US'),
});

describe('planBatches', () => {
  it('should cut batches of at most batchSize in input order', () => {
    const plan = planBatches(recipients(2500), new Set(), 1000);
    expect(plan.batchSizes).toEqual([1000, 1000, 500]);
    expect(plan.batchSequences[0]).toBe(0);
    expect(plan.batchSequences[999]).toBe(0);
    expect(plan.batchSequences[1000]).toBe(1);
    expect(plan.batchSequences[2499]).toBe(2);
    expect(plan.phones[1234]).toBe('+14155551234');
  });

  it('should keep suppressed numbers out of every batch, without leaving holes', () => {
    const all = recipients(5);
    const plan = planBatches(all, new Set([all.phones[1], all.phones[3]]), 2);
    expect(Array.from(plan.batchSequences)).toEqual([0, -1, 0, -1, 1]);
    expect(plan.batchSizes).toEqual([2, 1]);
    expect(plan.suppressedCount).toBe(2);
  });

  it('should plan no batch when every number is suppressed', () => {
    const all = recipients(3);
    const plan = planBatches(all, new Set(all.phones), 1000);
    expect(plan.batchSizes).toEqual([]);
    expect(plan.suppressedCount).toBe(3);
  });

  it('should refuse a batch size that is not a positive integer', () => {
    expect(() => planBatches(recipients(1), new Set(), 0)).toThrow(RangeError);
    expect(() => planBatches(recipients(1), new Set(), 1.5)).toThrow(RangeError);
  });
});
