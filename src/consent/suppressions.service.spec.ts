import { AppConfig } from '../config/app-config.service';
import { ConsentTransactor } from '../persistence/consent-transactor';
import { ErasureRepository } from '../persistence/erasure.repository';
import { SuppressionRepository } from '../persistence/suppression.repository';
import { ConsentRepository } from '../persistence/consent.repository';
import { RecipientHasher } from './recipient-hasher';
import { SuppressionsService } from './suppressions.service';

const ACCOUNT = '00000000-0000-4000-8000-000000000001';
// As the pg driver adapter reports a deadlock: PostgreSQL's code in the message of the error Prisma wraps.
const deadlock = () =>
  Object.assign(new Error('Raw query failed. Code: `40P01`. Message: `deadlock detected`'), { code: 'P2010' });

/** A service whose first `failures` erasures end in a deadlock. */
function setup(failures: number) {
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
    {} as ConsentTransactor,
    { erase } as unknown as ErasureRepository,
    hasher,
    events,
    {} as AppConfig,
  );
  return { sut, erase, events };
}

describe(SuppressionsService.name, () => {
  // Additions and removals are retried by ConsentTransactor (consent-transactor.spec.ts); an erasure has a
  // transaction of its own.
  it('should run an erasure again when it ends in a deadlock, and give up after five', async () => {
    const { sut, erase, events } = setup(1);

    await expect(sut.erase(ACCOUNT, '+447911123456')).resolves.toEqual({ messages: 3, suppressionKept: true });
    expect(erase).toHaveBeenCalledTimes(2);
    expect(events.campaignsChanged).toHaveBeenCalledTimes(1);

    await expect(setup(5).sut.erase(ACCOUNT, '+447911123456')).rejects.toThrow('deadlock detected');
  });
});
