import { ValidationArguments, ValidationOptions, registerDecorator } from 'class-validator';
import { isStorableText } from '../../common/text/storable-text';

/** A string without NUL bytes or unpaired UTF-16 surrogates (an array: IsStorableTextArray). */
export function IsStorableText(options: ValidationOptions = {}): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isStorableText',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: '$property must not contain NUL bytes or unpaired surrogates', ...options },
      validator: { validate: (value: unknown) => typeof value !== 'string' || isStorableText(value) },
    });
}

/**
 * An array of strings without NUL bytes or unpaired surrogates, checked in one loop: for a million
 * recipients, class-validator's `each` (one validator call per item, per decorator) cost more than
 * the check itself.
 */
export function IsStorableTextArray(options: ValidationOptions = {}): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isStorableTextArray',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: ({ value }: ValidationArguments) => {
          const index = Array.isArray(value) ? firstUnstorable(value) : -1;
          if (index < 0) {
            return '$property must be an array of strings';
          }
          const item: unknown = (value as unknown[])[index];
          return typeof item === 'string'
            ? `$property[${index}] must not contain NUL bytes or unpaired surrogates`
            : `$property[${index}] must be a string`;
        },
        ...options,
      },
      validator: { validate: (value: unknown) => Array.isArray(value) && firstUnstorable(value) < 0 },
    });
}

/** The index of the first item that is not a storable string, or -1. */
function firstUnstorable(items: readonly unknown[]): number {
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (typeof item !== 'string' || !isStorableText(item)) {
      return i;
    }
  }
  return -1;
}
