import { UserInputError } from '../common/errors/domain-error';
import { chooseSender } from './account-sender';

const SERVICE = ['+14155550100', 'Service'];

describe(chooseSender.name, () => {
  it("should default to the account's first sender ID, else the service's first", () => {
    expect(chooseSender(undefined, ['ACME', '+447700900123'], SERVICE)).toBe('ACME');
    expect(chooseSender(null, [], SERVICE)).toBe('+14155550100');
  });

  it("should accept a sender from the account's list, or the service's when the account has none", () => {
    expect(chooseSender('+447700900123', ['ACME', '+447700900123'], SERVICE)).toBe('+447700900123');
    expect(chooseSender('Service', [], SERVICE)).toBe('Service');
  });

  it("should refuse a sender outside the account's list, the service's own included, naming the field", () => {
    const refuse = () => chooseSender('+14155550100', ['ACME'], SERVICE);
    expect(refuse).toThrow(UserInputError);
    expect(refuse).toThrow("senderId: unknown sender +14155550100; this account's senders: ACME");
    expect(() => chooseSender('Other', [], SERVICE)).toThrow(
      'senderId: unknown sender Other; configured senders: +14155550100, Service',
    );
  });
});
