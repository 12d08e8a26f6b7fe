import { ArgumentsHost, Logger } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import { AllExceptionsFilter } from './all-exceptions.filter';

const graphqlHost = { getType: () => 'graphql' } as unknown as ArgumentsHost;

function clientErrorOf(exception: unknown): GraphQLError {
  return new AllExceptionsFilter().catch(exception, graphqlHost) as GraphQLError;
}

describe(AllExceptionsFilter.name, () => {
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  describe('PostgreSQL data exceptions', () => {
    it.each([
      ['a driver adapter error (NUL byte)', Object.assign(new Error('x'), { cause: { originalCode: '22021' } })],
      [
        'a Prisma known request error (numeric overflow)',
        Object.assign(new Error('x'), {
          code: 'P2020',
          meta: { driverAdapterError: { cause: { originalCode: '22003' } } },
        }),
      ],
      ['a pg driver error (datetime overflow)', Object.assign(new Error('x'), { code: '22008', severity: 'ERROR' })],
    ])('should answer %s with BAD_USER_INPUT, not a 500', (_what, exception) => {
      const error = clientErrorOf(exception);

      expect(error.extensions.code).toBe('BAD_USER_INPUT');
      expect(error.message).toMatch(/^input: a value could not be stored \(PostgreSQL 22\d{3}\)/);
    });
  });

  it('should answer a database that does not answer with SERVICE_UNAVAILABLE, to retry', () => {
    const error = clientErrorOf(Object.assign(new Error('connection failure'), { code: '08006' }));

    expect(error.extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(error.message).toBe('the database is not answering; retry shortly');
  });

  it('should hide any other error behind an error id', () => {
    const error = clientErrorOf(Object.assign(new Error('internal error'), { code: 'XX000' }));

    expect(error.extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error.message).toMatch(/^Internal server error \(error id [0-9a-f-]{36}\)$/);
  });
});
