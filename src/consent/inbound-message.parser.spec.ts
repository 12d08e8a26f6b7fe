import { MalformedInboundError, toInboundMessage } from './inbound-message.parser';

const UUID = '1f0a6b52-3c4d-11ef-9a3b-0242ac110002';

describe('toInboundMessage', () => {
  it('should normalise Plivo fields', () => {
    const params = {
      From: '14155550123',
      To: '14155550100',
      Text: 'STOP',
      Type: 'sms',
      MessageUUID: UUID.toUpperCase(),
    };
    expect(toInboundMessage(params)).toEqual({
      messageUuid: UUID,
      from: '+14155550123',
      to: '14155550100',
      text: 'STOP',
      type: 'sms',
      payload: params,
    });
  });

  it.each([
    [{ From: '14155550123', To: '1', Text: 'x' }, 'MessageUUID'],
    [{ From: 'abc', To: '1', Text: 'x', MessageUUID: UUID }, 'From'],
    [{ From: '14155550123', Text: 'x', MessageUUID: UUID }, 'To'],
    [{ From: '14155550123', To: '1', Text: 'x'.repeat(1601), MessageUUID: UUID }, 'Text'],
  ])('should refuse %p naming %s', (params, field) => {
    expect(() => toInboundMessage(params as Record<string, string>)).toThrow(MalformedInboundError);
    expect(() => toInboundMessage(params as Record<string, string>)).toThrow(field);
  });
});
