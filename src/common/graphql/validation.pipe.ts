import { ValidationError, ValidationPipe } from '@nestjs/common';
import { UserInputError } from '../errors/domain-error';

/**
 * class-validator on every input; a failure becomes BAD_USER_INPUT whose message starts with the
 * field's path (e.g. "recipients: ..."), as the contract requires.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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

function flatten(error: ValidationError, prefix: string): Array<{ field: string; message: string }> {
  const field = prefix ? `${prefix}.${error.property}` : error.property;
  const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
  return [...own, ...(error.children ?? []).flatMap((child) => flatten(child, field))];
}
