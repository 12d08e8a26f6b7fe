import { sqlstateOf } from './sqlstate';

describe('sqlstateOf', () => {
  it("should read the SQLSTATE from a raw query's P2010, a driver adapter error and a pg error", () => {
    expect(sqlstateOf({ code: 'P2010', meta: { driverAdapterError: { cause: { originalCode: '23505' } } } })).toBe(
      '23505',
    );
    expect(sqlstateOf({ cause: { originalCode: '22021' } })).toBe('22021');
    expect(sqlstateOf({ code: '22P02' })).toBe('22P02');
    expect(sqlstateOf({ code: 'P0001' })).toBe('P0001'); // RAISE EXCEPTION in PL/pgSQL
  });

  it("should not take Prisma's own codes or other errors for one", () => {
    expect(sqlstateOf({ code: 'P2010' })).toBeNull();
    expect(sqlstateOf({ code: 'P2002' })).toBeNull();
    expect(sqlstateOf({ code: 'ECONNRESET' })).toBeNull();
    expect(sqlstateOf(new Error('boom'))).toBeNull();
    expect(sqlstateOf(undefined)).toBeNull();
  });
});
