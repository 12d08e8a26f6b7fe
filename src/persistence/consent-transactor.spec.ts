import { ConsentTransactor } from './consent-transactor';
import { PrismaService } from './prisma.service';

// As the pg driver adapter reports a deadlock: PostgreSQL's code in the message of the error Prisma wraps.
const deadlock = () =>
  Object.assign(new Error('Raw query failed. Code: `40P01`. Message: `deadlock detected`'), { code: 'P2010' });

/** A transactor over a database whose next transactions end as `outcomes` say, then commit. */
function setup(...outcomes: Error[]) {
  const $transaction = jest.fn((work: (client: unknown) => Promise<unknown>) => {
    const outcome = outcomes.shift();
    return outcome ? Promise.reject(outcome) : work({});
  });
  return { sut: new ConsentTransactor({ $transaction } as unknown as PrismaService), $transaction };
}

describe(ConsentTransactor.name, () => {
  it('should run a transaction again, whole, when it ends in a deadlock', async () => {
    const { sut, $transaction } = setup(deadlock(), deadlock());
    const work = jest.fn((tx: { suppressions: unknown }) => Promise.resolve(tx.suppressions !== undefined));

    await expect(sut.run(work)).resolves.toBe(true);

    expect($transaction).toHaveBeenCalledTimes(3);
    expect(work).toHaveBeenCalledTimes(1);
  });

  it('should give up after five deadlocks in a row, and never run a transaction again on other failures', async () => {
    const gaveUp = setup(deadlock(), deadlock(), deadlock(), deadlock(), deadlock());
    await expect(gaveUp.sut.run(() => Promise.resolve(1))).rejects.toThrow('deadlock detected');
    expect(gaveUp.$transaction).toHaveBeenCalledTimes(5);

    const refused = setup(new Error('connection refused'));
    await expect(refused.sut.run(() => Promise.resolve(1))).rejects.toThrow('connection refused');
    expect(refused.$transaction).toHaveBeenCalledTimes(1);
  });
});
