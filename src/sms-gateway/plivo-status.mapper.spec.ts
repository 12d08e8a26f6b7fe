import {
  describePlivoErrorCode,
  isOptOutErrorCode,
  mapPlivoStatus,
  normalizePlivoErrorCode,
} from './plivo-status.mapper';

describe('plivo-status.mapper', () => {
  describe(mapPlivoStatus.name, () => {
    it.each([
      ['queued', undefined, { status: 'QUEUED', errorCode: null }],
      ['sent', undefined, { status: 'SENT', errorCode: null }],
      ['delivered', '000', { status: 'DELIVERED', errorCode: null }],
      ['undelivered', '80', { status: 'UNDELIVERED', errorCode: '80' }],
      ['failed', '420', { status: 'FAILED', errorCode: '420' }],
      ['rejected', '030', { status: 'REJECTED', errorCode: '30' }],
      ['Delivered', '', { status: 'DELIVERED', errorCode: null }],
      ['failed', null, { status: 'FAILED', errorCode: null }],
    ])('should map %s (ErrorCode %s)', (status, code, expected) => {
      expect(mapPlivoStatus(status, code)).toEqual(expected);
    });

    it.each(['read', 'received', 'accepted', '', 'deliverd'])(
      'should return null for the unknown status %p',
      (status) => {
        expect(mapPlivoStatus(status, '0')).toBeNull();
      },
    );

    it('should drop an error code on a status that does not carry one', () => {
      expect(mapPlivoStatus('sent', '80')).toEqual({ status: 'SENT', errorCode: null });
    });
  });

  describe(isOptOutErrorCode.name, () => {
    it('should recognise 200 in any form', () => {
      expect(isOptOutErrorCode('200')).toBe(true);
      expect(isOptOutErrorCode(200)).toBe(true);
      expect(isOptOutErrorCode('0200')).toBe(true);
    });

    it.each(['20', '2000', '000', null, undefined, ''])('should not treat %p as an opt-out', (code) => {
      expect(isOptOutErrorCode(code)).toBe(false);
    });
  });

  describe(describePlivoErrorCode.name, () => {
    it.each([
      ['20', 'transient'],
      ['80', 'transient'],
      ['300', 'transient'],
      ['420', 'transient'],
      ['10', 'permanent'],
      ['50', 'permanent'],
      ['110', 'permanent'],
      ['40', 'config'],
      ['450', 'config'],
      ['900', 'account'],
      ['910', 'account'],
      ['200', 'opt-out'],
      ['1000', 'transient'],
    ])('should classify %s as %s', (code, expectedClass) => {
      expect(describePlivoErrorCode(code)).toEqual(expect.objectContaining({ code, class: expectedClass }));
    });

    it('should treat an unknown code like 1000 and name it', () => {
      expect(describePlivoErrorCode('777')).toEqual({
        code: '777',
        reason: 'unknown error code 777',
        class: 'transient',
      });
    });

    it("should not take Object.prototype's members for codes", () => {
      expect(describePlivoErrorCode('constructor')?.reason).toBe('unknown error code constructor');
      expect(describePlivoErrorCode('__proto__')?.reason).toBe('unknown error code __proto__');
    });

    it.each(['000', '0', '', null, undefined])('should return null for no error (%p)', (code) => {
      expect(describePlivoErrorCode(code)).toBeNull();
    });
  });

  describe(normalizePlivoErrorCode.name, () => {
    it('should strip leading zeros and keep non-numeric codes', () => {
      expect(normalizePlivoErrorCode('010')).toBe('10');
      expect(normalizePlivoErrorCode(' 420 ')).toBe('420');
      expect(normalizePlivoErrorCode('E1')).toBe('E1');
    });
  });
});
