import { isUniqueViolation } from './unique-violation';

describe('isUniqueViolation', () => {
  it("should know a model query's P2002 and a raw query's 23505", () => {
    expect(isUniqueViolation({ code: 'P2002', meta: { target: ['idempotencyKey'] } })).toBe(true);
    expect(
      isUniqueViolation({
        code: 'P2010',
        meta: { driverAdapterError: { cause: { originalCode: '23505', kind: 'UniqueConstraintViolation' } } },
      }),
    ).toBe(true);
  });

  it('should not take any other failure for one', () => {
    expect(
      isUniqueViolation({ code: 'P2010', meta: { driverAdapterError: { cause: { originalCode: '23503' } } } }),
    ).toBe(false);
    expect(isUniqueViolation({ code: 'P2010' })).toBe(false);
    expect(isUniqueViolation(new Error('duplicate key value violates unique constraint'))).toBe(false);
    expect(isUniqueViolation(null)).toBe(false);
    expect(isUniqueViolation('P2002')).toBe(false);
  });
});
