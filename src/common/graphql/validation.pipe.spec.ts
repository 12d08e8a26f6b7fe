import { ArrayMaxSize, IsArray, IsString, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { UserInputError } from '../errors/domain-error';
import { createValidationPipe } from './validation.pipe';

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
});
