import { ValidationArguments, ValidationOptions, registerDecorator } from 'class-validator';

// PostgreSQL text cannot hold a NUL byte, and half of a surrogate pair is not a character at all
// (it would reach the provider as U+FFFD).
const SURROGATE = /[\ud800-\udfff]/;
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when the string holds neither a NUL byte nor an unpaired surrogate. */
export function isStorableText(value: string): boolean {
  // Most strings hold no surrogate at all, and that cheap test is all a million recipients pay.
  return !value.includes('\u0000') && (!SURROGATE.test(value) || !UNPAIRED_SURROGATE.test(value));
}

/** A string (or, with `each`, strings) without NUL bytes or unpaired UTF-16 surrogates. */
export function IsStorableText(options: ValidationOptions = {}): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isStorableText',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: ({ value }: ValidationArguments) => {
          const index = Array.isArray(value)
            ? value.findIndex((item) => typeof item === 'string' && !isStorableText(item))
            : -1;
          return `$property${index >= 0 ? `[${index}]` : ''} must not contain NUL bytes or unpaired surrogates`;
        },
        ...options,
      },
      validator: { validate: (value: unknown) => typeof value !== 'string' || isStorableText(value) },
    });
}
