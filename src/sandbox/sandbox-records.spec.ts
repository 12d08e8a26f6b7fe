import { SandboxRecords, SandboxSubmission } from './sandbox-records';

function submission(index: number, numbers: string[]): SandboxSubmission {
  return {
    index,
    apiId: `api-${index}`,
    authId: 'MAXXXXXXXXXXXXXXXXXX',
    receivedAt: new Date(0),
    src: '+14155550100',
    numbers,
    text: 'Hello',
    messageUuids: [],
    invalidNumbers: [],
    callbackUrl: null,
    callbackMethod: 'POST',
    answer: 'accepted',
  };
}

describe(SandboxRecords.name, () => {
  it('should count each number submitted more than once once, as duplicates() lists them, until cleared', () => {
    const records = new SandboxRecords();
    records.add(submission(0, ['+447700900001', '+447700900002']), []);
    expect(records.duplicateNumberCount).toBe(0);
    records.add(submission(1, ['+447700900001', '+447700900003']), []);
    records.add(submission(2, ['+447700900001', '+447700900003']), []);
    expect(records.duplicates()).toEqual([
      { number: '+447700900001', count: 3 },
      { number: '+447700900003', count: 2 },
    ]);
    expect(records.duplicateNumberCount).toBe(2);
    records.clear();
    expect(records.duplicateNumberCount).toBe(0);
    records.add(submission(0, ['+447700900001']), []);
    expect(records.duplicateNumberCount).toBe(0);
  });
});
