import {
  deliveryReportDedupeKey,
  MalformedCallbackError,
  parsePlivoCallbackTime,
  toDeliveryReport,
  toE164,
} from './plivo-callback';

describe(deliveryReportDedupeKey.name, () => {
  it('should give the same key to the same report and different keys otherwise', () => {
    const key = deliveryReportDedupeKey('u-1', 'delivered', 3, null);

    expect(deliveryReportDedupeKey('u-1', 'delivered', 3, null)).toBe(key);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(
      new Set([
        key,
        deliveryReportDedupeKey('u-2', 'delivered', 3, null),
        deliveryReportDedupeKey('u-1', 'sent', 3, null),
        deliveryReportDedupeKey('u-1', 'delivered', 4, null),
        deliveryReportDedupeKey('u-1', 'delivered', 3, '80'),
        deliveryReportDedupeKey('u-1', 'delivered', null, null),
      ]).size,
    ).toBe(6);
  });
});

describe(toDeliveryReport.name, () => {
  const params = {
    MessageUUID: 'u-1',
    To: '447700900001',
    Status: 'Undelivered',
    Sequence: '3',
    ErrorCode: '080',
    Units: '2',
    TotalAmount: '0.00900',
    TotalRate: '0.00450',
  };

  it('should normalise the fields and derive the dedupe key from them', () => {
    expect(toDeliveryReport(params, '7D4F4A38-8A3C-4A55-9C39-1B1F2B0E9D11')).toEqual({
      dedupeKey: deliveryReportDedupeKey('u-1', 'undelivered', 3, '80'),
      messageUuid: 'u-1',
      batchId: '7d4f4a38-8a3c-4a55-9c39-1b1f2b0e9d11',
      to: '+447700900001',
      status: 'undelivered',
      sequence: 3,
      errorCode: '80',
      units: 2,
      totalAmount: '0.00900',
      totalRate: '0.00450',
      payload: params,
    });
  });

  it('should treat an error code of 000 like none, so retries with either dedupe together', () => {
    const a = toDeliveryReport({ ...params, Status: 'delivered', ErrorCode: '000' }, undefined);
    const b = toDeliveryReport({ ...params, Status: 'delivered', ErrorCode: '' }, undefined);

    expect(a.dedupeKey).toBe(b.dedupeKey);
    expect(a.errorCode).toBeNull();
  });

  it('should ignore a batch id that is not a UUID and unreadable numbers', () => {
    const report = toDeliveryReport({ ...params, Sequence: 'x', TotalAmount: 'free', To: 'abc' }, 'not-a-uuid');

    expect(report).toMatchObject({ batchId: null, sequence: null, totalAmount: null, to: null });
  });

  it('should refuse a callback without MessageUUID or Status', () => {
    expect(() => toDeliveryReport({ ...params, MessageUUID: '' }, undefined)).toThrow(MalformedCallbackError);
    expect(() => toDeliveryReport({ ...params, Status: ' ' }, undefined)).toThrow(MalformedCallbackError);
  });

  it.each([
    ['TotalAmount', '-5'],
    ['TotalAmount', '-0.00001'],
    ['TotalAmount', '250.00001'],
    ['TotalRate', '-0.0045'],
    ['TotalRate', '10.5'],
  ])('should refuse %s %s as a bad amount', (field, value) => {
    let refusal: unknown;
    try {
      toDeliveryReport({ ...params, [field]: value }, undefined);
    } catch (error) {
      refusal = error;
    }

    expect(refusal).toBeInstanceOf(MalformedCallbackError);
    expect(refusal).toMatchObject({
      reason: 'bad_amount',
      message: `${field} must be an amount between 0 and ${field === 'TotalRate' ? 10 : 250}, got ${value}`,
    });
  });

  it.each([
    ['0', '0'],
    ['-0.00000', '0'],
    ['250', '10'],
  ])('should accept TotalAmount %s and TotalRate %s at the bounds', (amount, rate) => {
    expect(toDeliveryReport({ ...params, TotalAmount: amount, TotalRate: rate }, undefined)).toMatchObject({
      totalAmount: amount,
      totalRate: rate,
    });
  });
});

describe(toE164.name, () => {
  it.each([
    ['447700900001', '+447700900001'],
    ['+447700900001', '+447700900001'],
    [' 14155550101', '+14155550101'],
    ['MyBrand', null],
    ['', null],
  ])('should turn %j into %j', (input, expected) => {
    expect(toE164(input)).toBe(expected);
  });
});

describe(parsePlivoCallbackTime.name, () => {
  it('should read Plivo times as UTC and reject garbage', () => {
    expect(parsePlivoCallbackTime('2026-11-27 10:00:05.123456')).toEqual(new Date('2026-11-27T10:00:05.123Z'));
    expect(parsePlivoCallbackTime('2026-11-27 10:00:05+01:00')).toEqual(new Date('2026-11-27T09:00:05Z'));
    expect(parsePlivoCallbackTime('yesterday')).toBeNull();
    expect(parsePlivoCallbackTime(undefined)).toBeNull();
  });
});
