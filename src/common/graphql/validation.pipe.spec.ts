import { ArrayMaxSize, IsArray, IsInt, IsString, ValidateNested } from 'class-validator';
import { Transform, Type } from 'class-transformer';
import { UserInputError } from '../errors/domain-error';
import { SCALAR_ARRAY_MIN_LENGTH, createValidationPipe, unstorableStringPath } from './validation.pipe';

class Tag {
  @IsString()
  name!: string;
}

class Input {
  @IsArray()
  @ArrayMaxSize(3)
  @IsString({ each: true })
  recipients!: string[];

  @ValidateNested({ each: true })
  @Type(() => Tag)
  tags: Tag[] = [];
}

describe('InputValidationPipe', () => {
  const pipe = createValidationPipe();
  const transform = (value: unknown) => pipe.transform(value, { type: 'body', metatype: Input, data: undefined });

  it('should refuse a string PostgreSQL cannot store anywhere in the input, naming its field, before the DTO checks', async () => {
    await expect(transform({ recipients: ['a', 'b\u0000'], tags: [] })).rejects.toThrow(
      new UserInputError('recipients', 'recipients: recipients[1] must not contain NUL bytes or unpaired surrogates'),
    );
    await expect(transform({ recipients: ['a'], tags: [{ name: 'x \ud800' }] })).rejects.toThrow(
      'tags: tags[0].name must not contain NUL bytes or unpaired surrogates',
    );
    await expect(pipe.transform('id\u0000', { type: 'body', metatype: String, data: 'campaignId' })).rejects.toThrow(
      'campaignId: must not contain NUL bytes or unpaired surrogates',
    );
    await expect(transform({ recipients: ['a', 'b 😀'], tags: [] })).resolves.toBeInstanceOf(Input);
  });

  it("should look only into what a client sends: not into class instances (a context's request) nor round a cycle", () => {
    class Request {
      readonly header = 'x\u0000';
    }
    const context: Record<string, unknown> = { req: new Request(), name: 'ok' };
    context.self = context;
    expect(unstorableStringPath(context, 'context')).toBeUndefined();
    expect(unstorableStringPath({ ...context, bad: ['\ud800'] }, 'context')).toBe('bad[0]');
  });

  it('should validate and transform a dense input as Nest does', async () => {
    const result = (await transform({ recipients: ['a', 'b'], tags: [{ name: 'x' }] })) as Input;
    expect(result).toBeInstanceOf(Input);
    expect(result.recipients).toEqual(['a', 'b']);
    expect(result.tags[0]).toBeInstanceOf(Tag);
  });

  it('should close the gaps of a sparse array before validating, at any depth', async () => {
    const recipients: string[] = [];
    recipients[2] = 'a';
    recipients[7] = 'b';
    const tags: Array<{ name: string }> = [];
    tags[5] = { name: 'x' };
    const result = (await transform({ recipients, tags })) as Input;
    expect(result.recipients).toEqual(['a', 'b']);
    expect(result.tags).toHaveLength(1);
    expect(recipients).toEqual(['a', 'b']); // closed in place, as Nest does
  });

  it('should count only the items of a sparse array against its limits', async () => {
    const recipients: string[] = [];
    recipients[4_294_967_294] = 'a';
    await expect(transform({ recipients })).resolves.toMatchObject({ recipients: ['a'] });
    await expect(transform({ recipients: ['a', 'b', 'c', 'd'] })).rejects.toBeInstanceOf(UserInputError);
  });

  it('should strip prototype keys from the objects inside a dense array', async () => {
    const tag = JSON.parse('{"name": "x", "__proto__": {"polluted": true}, "constructor": {"bad": 1}}') as object;
    const result = (await transform({ recipients: ['a'], tags: [tag] })) as Input;
    expect(Object.prototype.hasOwnProperty.call(tag, '__proto__')).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(tag, 'constructor')).toBe(false);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(result.tags[0].name).toBe('x');
  });

  describe('a large array of scalars', () => {
    class Bulk {
      @IsArray()
      @IsString({ each: true })
      recipients!: string[];

      @Type(() => Number)
      @IsInt({ each: true })
      codes: number[] = [];

      @Transform(({ value }: { value: string[] }) => value.map((item) => item.toUpperCase()))
      labels: string[] = [];
    }
    const bulk = (value: unknown) => pipe.transform(value, { type: 'body', metatype: Bulk, data: undefined });
    const many = <T>(item: (i: number) => T) => Array.from({ length: SCALAR_ARRAY_MIN_LENGTH }, (_, i) => item(i));

    it('should be handed to the instance as it is, not copied, and still validated', async () => {
      const recipients = many((i) => `+1415555${i}`);
      const result = (await bulk({ recipients })) as Bulk;
      expect(result).toBeInstanceOf(Bulk);
      expect(result.recipients).toBe(recipients);

      const withNumber: unknown[] = many((i) => `+1415555${i}`);
      withNumber[SCALAR_ARRAY_MIN_LENGTH - 1] = 42;
      await expect(bulk({ recipients: withNumber })).rejects.toThrow(
        /^recipients: each value in recipients must be a string/,
      );
    });

    it('should be left to class-transformer when its property declares a type or a transform', async () => {
      const codes = many((i) => String(i));
      const labels = many((i) => `l${i}`);
      const result = (await bulk({ recipients: ['a'], codes, labels })) as Bulk;
      expect(result.codes).not.toBe(codes);
      expect(result.codes[7]).toBe(7);
      expect(result.labels[0]).toBe('L0');
    });

    it('should be copied as before when it holds objects or is short', async () => {
      const short = ['a', 'b'];
      expect(((await bulk({ recipients: short })) as Bulk).recipients).not.toBe(short);
      const objects = many((i) => ({ i }));
      await expect(bulk({ recipients: objects })).rejects.toBeInstanceOf(UserInputError);
    });
  });
});
