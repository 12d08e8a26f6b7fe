import { UserInputError } from '../../common/errors/domain-error';
import { createValidationPipe } from '../../common/graphql/validation.pipe';
import { OmitType } from '@nestjs/graphql';
import { SendBulkInput } from './send-bulk.input';

/** sendBulk's input less its recipients, which are the body (checked by the same rules). */
class CampaignUploadInput extends OmitType(SendBulkInput, ['recipients', 'recipientListId'] as const) {}

/** The query parameters of POST /api/campaigns: sendBulk's input, each as text, and the list's phone column. */
const PARAMETERS = [
  'text',
  'name',
  'senderId',
  'defaultCountry',
  'smartEncoding',
  'idempotencyKey',
  'maxCost',
  'scheduledAt',
  'priority',
  'sendWindowStart',
  'sendWindowEnd',
  'sendWindowDays',
  'phoneColumn',
  'format',
] as const;
const KNOWN = new Set<string>(PARAMETERS);

const validation = createValidationPipe();

/**
 * sendBulk's input from the query string, checked by the same rules (and with the same messages) as the
 * GraphQL mutation's. A parameter given twice, or one this route does not know, is refused rather than
 * ignored: a misspelt `maxCost` must not send a campaign with no budget.
 */
export async function toSendBulkInput(query: Record<string, unknown>): Promise<SendBulkInput> {
  for (const [key, value] of Object.entries(query)) {
    if (!KNOWN.has(key)) {
      throw new UserInputError(key, `unknown query parameter; the parameters are ${PARAMETERS.join(', ')}`);
    }
    if (typeof value !== 'string') {
      throw new UserInputError(key, 'give it once, as text');
    }
  }
  const q = query as Partial<Record<(typeof PARAMETERS)[number], string>>;
  if (q.text === undefined) {
    throw new UserInputError(
      'text',
      'the campaign text is required (?text=...; it may use the columns as {{ column }})',
    );
  }
  const windowGiven = [q.sendWindowStart, q.sendWindowEnd, q.sendWindowDays].some((v) => v !== undefined);
  if (windowGiven && (q.sendWindowStart === undefined || q.sendWindowEnd === undefined)) {
    throw new UserInputError('sendWindowStart', 'a send window needs both sendWindowStart and sendWindowEnd');
  }
  const plain = {
    text: q.text,
    name: q.name,
    senderId: q.senderId,
    defaultCountry: q.defaultCountry,
    smartEncoding: q.smartEncoding === undefined ? undefined : booleanOf('smartEncoding', q.smartEncoding),
    idempotencyKey: q.idempotencyKey,
    maxCost: q.maxCost === undefined ? undefined : numberOf('maxCost', q.maxCost),
    scheduledAt: q.scheduledAt === undefined ? undefined : dateOf('scheduledAt', q.scheduledAt),
    priority: q.priority === undefined ? undefined : numberOf('priority', q.priority),
    sendWindow: windowGiven
      ? {
          start: q.sendWindowStart,
          end: q.sendWindowEnd,
          days: q.sendWindowDays === undefined ? undefined : q.sendWindowDays.split(',').map((d) => d.trim()),
        }
      : undefined,
  };
  // Nest's pipe turns a failed rule into a BAD_USER_INPUT naming the field, as for GraphQL arguments.
  let input: CampaignUploadInput;
  try {
    input = (await validation.transform(plain, { type: 'body', metatype: CampaignUploadInput })) as CampaignUploadInput;
  } catch (error) {
    throw error instanceof UserInputError ? inQueryTerms(error) : error;
  }
  return Object.assign(new SendBulkInput(), input, { recipients: [] });
}

function booleanOf(name: string, value: string): boolean {
  if (value === 'true') {
    return true;
  }
  if (value === 'false') {
    return false;
  }
  throw new UserInputError(name, `must be true or false, not "${value}"`);
}

function numberOf(name: string, value: string): number {
  const number = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(number)) {
    throw new UserInputError(name, `must be a number, not "${value}"`);
  }
  return number;
}

function dateOf(name: string, value: string): Date {
  // An ISO 8601 date and time with its offset, as GraphQL's DateTime takes.
  const date = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)
    ? new Date(value)
    : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw new UserInputError(name, `must be a date and time such as 2026-12-24T09:00:00Z, not "${value}"`);
  }
  return date;
}

const WINDOW_PARAMETERS: Record<string, string> = {
  'sendWindow.start': 'sendWindowStart',
  'sendWindow.end': 'sendWindowEnd',
  'sendWindow.days': 'sendWindowDays',
};

/** The error named with the query's parameters: sendWindowStart, not sendWindow.start. */
function inQueryTerms(error: UserInputError): UserInputError {
  const rename = (text: string): string =>
    text.replace(/sendWindow\.(start|end|days)/g, (name) => WINDOW_PARAMETERS[name]);
  const fields = (error.details.fields as string[] | undefined)?.map(rename);
  return new UserInputError(rename(error.field), rename(error.message), fields ? { fields } : {});
}
