import { ArgumentMetadata } from '@nestjs/common';
import { MessagesArgs } from '../../campaigns/dto/messages.args';
import { SuppressionsArgs } from '../../consent/dto/suppressions.args';
import { UserInputError } from '../errors/domain-error';
import { createValidationPipe } from './validation.pipe';

describe('PageArgs', () => {
  const pipe = createValidationPipe();
  const cases = [
    ['MessagesArgs', MessagesArgs],
    ['SuppressionsArgs', SuppressionsArgs],
  ] as const;

  it.each(cases)('should give %s the default page size when first is not set', async (_name, metatype) => {
    const metadata: ArgumentMetadata = { type: 'query', metatype };
    await expect(pipe.transform({}, metadata)).resolves.toMatchObject({ first: 50 });
  });

  it.each(cases)(
    'should refuse a page of %s larger than 500 or smaller than 1, naming first',
    async (_name, metatype) => {
      const metadata: ArgumentMetadata = { type: 'query', metatype };
      await expect(pipe.transform({ first: 501 }, metadata)).rejects.toThrow(UserInputError);
      await expect(pipe.transform({ first: 501 }, metadata)).rejects.toThrow(/^first: /);
      await expect(pipe.transform({ first: 0 }, metadata)).rejects.toThrow(/^first: /);
      await expect(pipe.transform({ first: 500, after: '42' }, metadata)).resolves.toMatchObject({
        first: 500,
        after: '42',
      });
    },
  );

  it.each(cases)('should refuse a cursor of %s that is not a string, naming after', async (_name, metatype) => {
    const metadata: ArgumentMetadata = { type: 'query', metatype };
    await expect(pipe.transform({ after: 7 }, metadata)).rejects.toThrow(/^after: /);
  });
});
