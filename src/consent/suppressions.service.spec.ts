import { AppConfig } from '../config/app-config.service';
import { ConsentTransactor } from '../persistence/consent-transactor';
import { ErasureRepository } from '../persistence/erasure.repository';
import { SuppressionRepository } from '../persistence/suppression.repository';
import { ConsentRepository } from '../persistence/consent.repository';
import { RecipientHasher } from './recipient-hasher';
import { SuppressionsService } from './suppressions.service';

const ACCOUNT = '00000000-0000-4000-8000-000000000001';
// As the pg driver adapter reports a deadlock: PostgreSQL's code on the error Prisma wraps.
const deadlock = () =>
  Object.assign(new Error('Raw query failed. Code: `40P01`. Message: `deadlock detected`'), {
    code: 'P2010',
    meta: { code: '40P01', message: 'deadlock detected' },
  });

/** A service over a transactor whose first `failures` transactions end in a deadlock. */
function setup(failures: number) {
  const tx = {
    suppressions: {
      addMany: jest.fn((entries: Array<{ accountId: string; phone: string }>) =>
        Promise.resolve(entries.map(({ accountId, phone }) => ({ accountId, phone }))),
      ),
      removeMany: jest.fn((entries: Array<{ accountId: string; phone: string }>) => Promise.resolve(entries)),
    },
    consent: {
      suppressWaitingMessages: jest.fn(() => Promise.resolve({ campaignIds: ['campaign-1'], messages: 2 })),
      record: jest.fn(() => Promise.resolve()),
    },
    campaigns: { completeFinished: jest.fn(() => Promise.resolve([])) },
  };
  let failed = 0;
  const run = jest.fn(async (work: (unit: typeof tx) => Promise<unknown>) => {
    if (failed < failures) {
      failed++;
      throw deadlock();
    }
    return work(tx);
  });
  let erasures = 0;
  const erase = jest.fn(() => {
    erasures++;
    return erasures <= failures ? Promise.reject(deadlock()) : Promise.resolve({ messages: 3, campaignIds: ['c'] });
  });
  const events = { campaignsChanged: jest.fn() };
  const hasher = { configured: true, hash: (phone: string) => `hash-of-${phone}` } as unknown as RecipientHasher;
  const sut = new SuppressionsService(
    {} as SuppressionRepository,
    {} as ConsentRepository,
    { run } as unknown as ConsentTransactor,
    { erase } as unknown as ErasureRepository,
    hasher,
    events,
    {} as AppConfig,
  );
  return { sut, run, erase, tx, events };
}

describe(SuppressionsService.name, () => {
  it('should run an addition again when its transaction ends in a deadlock, and report it once', async () => {
    const { sut, run, tx, events } = setup(2);

    const result = await sut.add(ACCOUNT, { phones: ['+447911123456', '+447911123457'] });

    expect(run).toHaveBeenCalledTimes(3);
    expect(tx.suppressions.addMany).toHaveBeenCalledTimes(1);
    expect(result).toEqual({ added: 2, alreadySuppressed: 0, messagesSuppressed: 2 });
    expect(events.campaignsChanged).toHaveBeenCalledTimes(1);
  });

  it('should run a removal and an erasure again when they end in a deadlock', async () => {
    const { sut, run, erase } = setup(1);

    await expect(sut.remove(ACCOUNT, '+447911123456')).resolves.toBe(true);
    expect(run).toHaveBeenCalledTimes(2);
    await expect(sut.erase(ACCOUNT, '+447911123456')).resolves.toEqual({ messages: 3, suppressionKept: true });
    expect(erase).toHaveBeenCalledTimes(2);
  });

  it('should give up after five deadlocks in a row, and never retry other failures', async () => {
    await expect(setup(5).sut.add(ACCOUNT, { phones: ['+447911123456'] })).rejects.toThrow('deadlock detected');

    const { sut, run } = setup(0);
    run.mockRejectedValueOnce(new Error('connection refused'));
    await expect(sut.add(ACCOUNT, { phones: ['+447911123456'] })).rejects.toThrow('connection refused');
    expect(run).toHaveBeenCalledTimes(1);
  });
});
