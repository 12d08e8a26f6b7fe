import { isDatabaseUnavailable } from './database-unavailable';

describe('isDatabaseUnavailable', () => {
  it.each([
    [
      "Prisma's raw query error from the driver adapter",
      { code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable', port: 5432 } } } },
    ],
    ['a closed connection', { cause: { kind: 'ConnectionClosed' } }],
    ["Prisma's can't reach", { code: 'P1001' }],
    ['no pooled connection in time', { code: 'P2024' }],
    ['an admin shutdown (pg)', { code: '57P01' }],
    ['a connection exception', { meta: { driverAdapterError: { cause: { originalCode: '08006' } } } }],
    ['too many connections', { code: '53300' }],
  ])('should say yes for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', { code: 'P2002' }],
    ['a deadlock', { code: '40P01' }],
    [
      'a refused connection to anything (the SMS provider)',
      Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
    ],
    ['a plain error', new Error('boom')],
    ['nothing', null],
  ])('should say no for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
