import { sendBulkFingerprint } from './send-bulk-fingerprint';
import { SendBulkInput } from './send-bulk.input';

function input(fields: Partial<SendBulkInput>): SendBulkInput {
  return Object.assign(new SendBulkInput(), { recipients: ['+14155552671', '+447400123456'], text: 'hi' }, fields);
}

describe(sendBulkFingerprint.name, () => {
  it('should ignore the idempotency key and treat absent optional fields as their defaults', () => {
    expect(sendBulkFingerprint(input({ idempotencyKey: 'a' }))).toBe(
      sendBulkFingerprint(input({ idempotencyKey: 'b', name: null, smartEncoding: false, maxCost: null })),
    );
    expect(sendBulkFingerprint(input({ defaultCountry: 'gb' }))).toBe(
      sendBulkFingerprint(input({ defaultCountry: 'GB' })),
    );
  });

  it.each<[string, Partial<SendBulkInput>]>([
    ['text', { text: 'hi!' }],
    ['recipient order', { recipients: ['+447400123456', '+14155552671'] }],
    ['recipients split differently', { recipients: ['+14155552671+447400123456'] }],
    ['senderId', { senderId: 'Brand' }],
    ['name', { name: 'x' }],
    ['smartEncoding', { smartEncoding: true }],
    ['maxCost', { maxCost: 1 }],
    ['scheduledAt', { scheduledAt: new Date('2030-01-01T00:00:00Z') }],
  ])('should change with %s', (_what, change) => {
    expect(sendBulkFingerprint(input(change))).not.toBe(sendBulkFingerprint(input({})));
  });
});
