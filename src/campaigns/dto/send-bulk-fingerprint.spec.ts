import { sendBulkFingerprint } from './send-bulk-fingerprint';
import { SendBulkInput } from './send-bulk.input';

function input(fields: Partial<SendBulkInput>): SendBulkInput {
  return Object.assign(new SendBulkInput(), { recipients: ['+14155552671', '+447400123456'], text: 'hi' }, fields);
}

describe(sendBulkFingerprint.name, () => {
  it('should ignore the idempotency key and treat absent optional fields as their defaults', async () => {
    expect(await sendBulkFingerprint(input({ idempotencyKey: 'a' }))).toBe(
      await sendBulkFingerprint(input({ idempotencyKey: 'b', name: null, smartEncoding: false, maxCost: null })),
    );
    expect(await sendBulkFingerprint(input({ defaultCountry: 'gb' }))).toBe(
      await sendBulkFingerprint(input({ defaultCountry: 'GB' })),
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
  ])('should change with %s', async (_what, change) => {
    expect(await sendBulkFingerprint(input(change))).not.toBe(await sendBulkFingerprint(input({})));
  });

  it('should tell apart long recipient lists that differ only past the first slice', async () => {
    const recipients = Array.from({ length: 25_000 }, (_, i) => `+1415${2_000_000 + i}`);
    const changed = [...recipients];
    changed[24_999] = '+14159999999';

    expect(await sendBulkFingerprint(input({ recipients }))).toBe(
      await sendBulkFingerprint(input({ recipients: [...recipients] })),
    );
    expect(await sendBulkFingerprint(input({ recipients: changed }))).not.toBe(
      await sendBulkFingerprint(input({ recipients })),
    );
  });
});
