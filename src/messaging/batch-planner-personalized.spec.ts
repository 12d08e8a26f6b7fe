import { planPersonalizedBatches } from './batch-planner';

describe(planPersonalizedBatches.name, () => {
  it('should give each distinct text batches of its own, keep message order and skip suppressed numbers', () => {
    const plan = planPersonalizedBatches(
      {
        phones: ['+1', '+2', '+3', '+4', '+5', '+6'],
        countries: ['US', 'US', 'GB', 'US', 'GB', 'US'],
        textIndexes: [0, 1, 0, 0, 1, 0],
      },
      ['hello A', 'hello B'],
      new Set(['+4']),
      2,
    );
    expect(Array.from(plan.batchSequences)).toEqual([0, 1, 0, -1, 1, 2]);
    expect(plan.batchSizes).toEqual([2, 2, 1]);
    expect(plan.batchTexts).toEqual(['hello A', 'hello B', 'hello A']);
    expect(plan.suppressedCount).toBe(1);
    expect(plan.phones).toEqual(['+1', '+2', '+3', '+4', '+5', '+6']);
  });

  it('should not mix groups (country and time zone) in a batch even when the texts are the same', () => {
    const plan = planPersonalizedBatches(
      {
        phones: ['+1', '+2', '+3', '+4', '+5'],
        countries: ['US', 'US', 'US', 'GB', 'US'],
        textIndexes: [0, 0, 0, 0, 1],
      },
      ['hello', 'hi'],
      new Set(),
      10,
      [0, 1, 0, 2, 1],
    );
    expect(Array.from(plan.batchSequences)).toEqual([0, 1, 0, 2, 3]);
    expect(plan.batchSizes).toEqual([2, 1, 1, 1]);
    expect(plan.batchTexts).toEqual(['hello', 'hello', 'hello', 'hi']);
    expect(plan.batchGroups).toEqual([0, 1, 2, 1]);
  });
});
