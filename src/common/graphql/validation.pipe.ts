import { ArgumentMetadata, Type, ValidationError, ValidationPipe } from '@nestjs/common';
import type { TransformerPackage } from '@nestjs/common/interfaces/external/transformer-package.interface';
import * as classTransformer from 'class-transformer';
import { ClassTransformOptions, TransformationType } from 'class-transformer';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { UserInputError } from '../errors/domain-error';
import { isStorableText } from '../text/storable-text';

/** Objects Nest's pipe does not look into (its own list), besides typed arrays and buffers. */
const OPAQUE_TYPES = [Date, RegExp, Error, Map, Set, WeakMap, WeakSet];

/**
 * Nest's ValidationPipe, with the same checks made in one pass over a dense array.
 *
 * Before validating, Nest closes the gaps of sparse arrays (a urlencoded or multipart body can make
 * them) by listing every array's keys as strings, and strips prototype keys from every item through
 * `Object.values`: ~60 ms on the event loop for a sendBulk of 100,000 recipients (bench/send-bulk.ts),
 * during which the service answers nothing. Bodies parsed from JSON and GraphQL variables are dense.
 * Here an array is walked by index until its first gap: a dense one is done in that pass, and one with
 * a gap goes to Nest's own method, which closes it. The walk stops at the first gap, so it costs at
 * most the array's items, however large its length.
 */
export class InputValidationPipe extends ValidationPipe {
  /**
   * Every string of every input is checked for what PostgreSQL's text refuses (a NUL byte, half of a
   * surrogate pair) before the DTO's own checks, so that such a value is refused naming its field
   * instead of reaching the database (`updateConsentSettings` answered "input: a value could not be
   * stored (PostgreSQL 22021)").
   */
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Custom decorators (the account) and GraphQL's context and info are the service's own values.
    const path = metadata.type === 'custom' ? undefined : unstorableStringPath(value, metadata.data ?? 'input');
    if (path !== undefined) {
      // Worded as class-validator's own failures are (`recipients: recipients[1] must not …`).
      const field = /^[^.[]+/.exec(path)![0];
      const part = path === field ? '' : `${path} `;
      throw new UserInputError(field, `${field}: ${part}must not contain NUL bytes or unpaired surrogates`, {
        fields: [field],
      });
    }
    return super.transform(value, metadata);
  }

  protected override closeArrayGaps(value: unknown): void {
    const visited = new WeakSet<object>();
    const stack: unknown[] = [value];
    while (stack.length > 0) {
      const current = stack.pop();
      if (!isWalkable(current) || visited.has(current)) {
        continue;
      }
      visited.add(current);
      if (Array.isArray(current)) {
        if (!isDense(current)) {
          super.closeArrayGaps(current);
          continue;
        }
        for (let i = 0; i < current.length; i++) {
          if (isWalkable(current[i])) {
            stack.push(current[i]);
          }
        }
        continue;
      }
      for (const key of Object.keys(current)) {
        const item = (current as Record<string, unknown>)[key];
        if (isWalkable(item)) {
          stack.push(item);
        }
      }
    }
  }

  protected override stripProtoKeys(value: unknown): void {
    if (!Array.isArray(value) || !isDense(value)) {
      super.stripProtoKeys(value); // recurses through this method
      return;
    }
    for (let i = 0; i < value.length; i++) {
      if (value[i] !== null && typeof value[i] === 'object') {
        this.stripProtoKeys(value[i]);
      }
    }
  }
}

/**
 * The path of the first string in `value` that PostgreSQL could not store, as the pipe names fields
 * (`helpReply`, `rows[2].name`; `argument` for a bare string argument), or undefined. Lists of
 * SCALAR_ARRAY_MIN_LENGTH items or more are left to their own decorators (IsStorableTextArray on the
 * recipients), which check them in one loop.
 */
export function unstorableStringPath(value: unknown, argument: string): string | undefined {
  const stack: Array<{ value: unknown; path: string }> = [{ value, path: '' }];
  const visited = new WeakSet<object>();
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === 'string') {
      if (!isStorableText(current)) {
        return path === '' ? argument : path;
      }
      continue;
    }
    // Only what a client sent: plain objects and arrays (JSON, GraphQL's coerced input), never a request,
    // a response or anything else with a class of its own (the GraphQL context holds both).
    if (!isPlainData(current) || visited.has(current)) {
      continue;
    }
    visited.add(current);
    if (Array.isArray(current)) {
      if (current.length < SCALAR_ARRAY_MIN_LENGTH) {
        for (let i = current.length - 1; i >= 0; i--) {
          stack.push({ value: current[i], path: `${path}[${i}]` });
        }
      }
      continue;
    }
    const keys = Object.keys(current);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      stack.push({ value: (current as Record<string, unknown>)[key], path: path === '' ? key : `${path}.${key}` });
    }
  }
  return undefined;
}

/** A property holding an array of at least this many scalars is handed over as it is (below). */
export const SCALAR_ARRAY_MIN_LENGTH = 1_000;

/**
 * class-transformer, except that a large array of scalars in a top-level property with no
 * class-transformer decorator (sendBulk's and quote's `recipients`) is put on the new instance as it
 * is instead of being copied item by item: ~35 ms on the event loop and its garbage for 100,000
 * recipients, during which the service answers nothing. The copy would be the same array: with no
 * declared type class-transformer keeps each scalar as it is. class-validator then checks that array.
 */
export const scalarArrayPassingTransformer: TransformerPackage = {
  plainToInstance: plainToInstancePassingScalarArrays,
  classToPlain: classTransformer.classToPlain,
};

function plainToInstancePassingScalarArrays<T>(metatype: Type<T>, plain: unknown, options?: ClassTransformOptions): T {
  const copied = (): T => classTransformer.plainToInstance<T, unknown>(metatype, plain, options);
  const moved = takeScalarArrays(metatype, plain);
  if (moved.length === 0) {
    return copied();
  }
  const source = plain as Record<string, unknown>;
  let entity: T;
  try {
    entity = copied();
  } finally {
    for (const { key, array } of moved) {
      source[key] = array;
    }
  }
  const target = entity as Record<string, unknown> | null;
  // Put back only where class-transformer left the stand-in; anything else is copied the usual way.
  if (target === null || typeof target !== 'object' || moved.some(({ key }) => !isStandIn(target[key]))) {
    return copied();
  }
  for (const { key, array } of moved) {
    target[key] = array;
  }
  return entity;
}

/** Swaps each qualifying array of `plain` for an empty stand-in (in place) and returns the originals. */
function takeScalarArrays(metatype: Type<unknown>, plain: unknown): Array<{ key: string; array: unknown[] }> {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain) || typeof metatype !== 'function') {
    return [];
  }
  const source = plain as Record<string, unknown>;
  const moved: Array<{ key: string; array: unknown[] }> = [];
  for (const key of Object.keys(source)) {
    const array = source[key];
    if (
      Array.isArray(array) &&
      array.length >= SCALAR_ARRAY_MIN_LENGTH &&
      hasNoTransformerMetadata(metatype, key) &&
      allScalars(array)
    ) {
      moved.push({ key, array });
      source[key] = STAND_IN;
    }
  }
  return moved;
}

// One shared empty array marks a property that was taken out (class-transformer copies it to a new one).
const STAND_IN: unknown[] = Object.freeze([]) as unknown as unknown[];

function isStandIn(value: unknown): boolean {
  return Array.isArray(value) && value.length === 0;
}

function hasNoTransformerMetadata(metatype: Type<unknown>, key: string): boolean {
  return (
    defaultMetadataStorage.findTypeMetadata(metatype, key) === undefined &&
    defaultMetadataStorage.findExposeMetadata(metatype, key) === undefined &&
    defaultMetadataStorage.findExcludeMetadata(metatype, key) === undefined &&
    defaultMetadataStorage.getExposedMetadatas(metatype).length === 0 &&
    defaultMetadataStorage.findTransformMetadatas(metatype, key, TransformationType.PLAIN_TO_CLASS).length === 0
  );
}

function allScalars(array: unknown[]): boolean {
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    if (item !== null && typeof item === 'object') {
      return false;
    }
  }
  return true;
}

/**
 * class-validator on every input; a failure becomes BAD_USER_INPUT whose message starts with the
 * field's path (e.g. "recipients: ..."), as the contract requires.
 */
export function createValidationPipe(): ValidationPipe {
  return new InputValidationPipe({
    transformerPackage: scalarArrayPassingTransformer,
    transform: true,
    forbidUnknownValues: false,
    exceptionFactory: (errors: ValidationError[]) => {
      const problems = errors.flatMap((error) => flatten(error, ''));
      const first = problems[0] ?? { field: 'input', message: 'invalid input' };
      return new UserInputError(first.field, problems.map((p) => `${p.field}: ${p.message}`).join('; '), {
        fields: problems.map((p) => p.field),
      });
    },
  });
}

function isDense(array: unknown[]): boolean {
  for (let i = 0; i < array.length; i++) {
    if (!(i in array)) {
      return false;
    }
  }
  return true;
}

function isPlainData(value: unknown): value is object {
  if (value === null || typeof value !== 'object') {
    return false;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  return Array.isArray(value) || prototype === Object.prototype || prototype === null;
}

function isWalkable(value: unknown): value is object {
  return (
    value !== null &&
    typeof value === 'object' &&
    !ArrayBuffer.isView(value) &&
    !OPAQUE_TYPES.some((type) => value instanceof type)
  );
}

function flatten(error: ValidationError, prefix: string): Array<{ field: string; message: string }> {
  const field = prefix ? `${prefix}.${error.property}` : error.property;
  const own = Object.values(error.constraints ?? {}).map((message) => ({
    field,
    message: withoutName(message, field),
  }));
  return [...own, ...(error.children ?? []).flatMap((child) => flatten(child, field))];
}

/**
 * A message under "priority: " that starts "priority must …" would name the field twice; one about a
 * part of it ("recipients[1] must …") keeps its name.
 */
function withoutName(message: string, field: string): string {
  const name = [field, field.slice(field.lastIndexOf('.') + 1)].find((n) => message.startsWith(`${n} `));
  return name === undefined ? message : message.slice(name.length + 1);
}
