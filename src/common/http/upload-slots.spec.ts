import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code.enum';
import { UploadSlots } from './upload-slots';

describe('UploadSlots', () => {
  const refusal = (take: () => unknown): string => {
    try {
      take();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe(ErrorCode.TOO_MANY_REQUESTS);
      return (error as Error).message;
    }
    throw new Error('not refused');
  };

  it('should give one account one slot, leaving the others to other accounts', () => {
    const slots = new UploadSlots(2, 'upload');

    const release = slots.take('a');
    expect(refusal(() => slots.take('a'))).toMatch(/^one upload at a time per account, and one of yours is under way/);
    const other = slots.take('b');
    expect(refusal(() => slots.take('c'))).toBe('at most 2 uploads at a time; retry shortly');

    release();
    slots.take('c');
    other();
    slots.take('a');
  });

  it('should free a slot once however often its release is called', () => {
    const slots = new UploadSlots(1, 'upload');
    const release = slots.take('a');

    release();
    release();
    slots.take('b');

    expect(refusal(() => slots.take('c'))).toBe('at most 1 uploads at a time; retry shortly');
  });
});
