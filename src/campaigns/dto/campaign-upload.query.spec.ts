import { UserInputError } from '../../common/errors/domain-error';
import { toSendBulkInput } from './campaign-upload.query';

describe('toSendBulkInput', () => {
  it("should read every sendBulk field from the query string, with the list's recipients left to the body", async () => {
    const input = await toSendBulkInput({
      text: 'Hi {{ name }}',
      name: 'Spring',
      senderId: 'ACME',
      defaultCountry: 'gb',
      smartEncoding: 'true',
      idempotencyKey: 'k-1',
      maxCost: '12.5',
      scheduledAt: '2030-01-02T09:00:00Z',
      priority: '3',
      sendWindowStart: '09:00',
      sendWindowEnd: '20:00',
      sendWindowDays: 'MON, TUE',
      phoneColumn: 'mobile',
      format: 'csv',
    });
    expect(input).toMatchObject({
      recipients: [],
      text: 'Hi {{ name }}',
      name: 'Spring',
      senderId: 'ACME',
      defaultCountry: 'gb',
      smartEncoding: true,
      idempotencyKey: 'k-1',
      maxCost: 12.5,
      scheduledAt: new Date('2030-01-02T09:00:00Z'),
      priority: 3,
      sendWindow: { start: '09:00', end: '20:00', days: ['MON', 'TUE'] },
    });
    expect(input.recipientListId).toBeUndefined();
  });

  it.each([
    [{}, /^text: the campaign text is required/],
    [{ text: 'x', maxcost: '1' }, /^maxcost: unknown query parameter/],
    [{ text: ['a', 'b'] }, /^text: give it once, as text/],
    [{ text: 'x', smartEncoding: 'yes' }, /^smartEncoding: must be true or false, not "yes"/],
    [{ text: 'x', maxCost: '' }, /^maxCost: must be a number, not ""/],
    [{ text: 'x', maxCost: '-1' }, /^maxCost: must be a positive amount/],
    [{ text: 'x', priority: '11' }, /^priority: must be a whole number from 1 to 10/],
    [{ text: 'x', scheduledAt: '2030-01-02' }, /^scheduledAt: must be a date and time/],
    [{ text: 'x', sendWindowEnd: '20:00' }, /^sendWindowStart: a send window needs both/],
    [{ text: 'x', sendWindowStart: '9', sendWindowEnd: '20:00' }, /^sendWindowStart: must be a local time/],
    [{ text: 'x', senderId: 'a-b' }, /^senderId: must be a phone number/],
  ])('should refuse %j with a clear error', async (query, message) => {
    const refusal = await toSendBulkInput(query as Record<string, unknown>).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(UserInputError);
    expect((refusal as Error).message).toMatch(message);
  });
});
