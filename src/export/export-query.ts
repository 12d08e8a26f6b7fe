import { UserInputError } from '../common/errors/domain-error';
import { MessageStatus } from '../domain/message-status.enum';

export interface ExportQuery {
  statuses: MessageStatus[];
  bom: boolean;
}

const STATUSES = new Set<string>(Object.values(MessageStatus));

/** `?status=DELIVERED,FAILED` (repeatable, case-insensitive) and `?bom=true`; anything else is a 400 naming the field. */
export function parseExportQuery(query: Record<string, unknown>): ExportQuery {
  // A misspelt filter (`?statuses=`) or a bracketed one (`?status[x]=`) must not export every row.
  const unknown = Object.keys(query).find((key) => key !== 'status' && key !== 'bom');
  if (unknown !== undefined) {
    throw new UserInputError(unknown, `unknown query parameter "${unknown}" (status and bom are known)`);
  }
  const statuses = new Set<MessageStatus>();
  for (const value of list(query.status, 'status')) {
    for (const part of value.split(',')) {
      const status = part.trim().toUpperCase();
      if (status === '') {
        continue;
      }
      if (!STATUSES.has(status)) {
        throw new UserInputError('status', `unknown status "${part.trim()}" (one of ${[...STATUSES].join(', ')})`);
      }
      statuses.add(status as MessageStatus);
    }
  }
  const bom = list(query.bom, 'bom');
  if (bom.length > 1 || (bom.length === 1 && !['true', 'false', '1', '0'].includes(bom[0].toLowerCase()))) {
    throw new UserInputError('bom', 'must be true or false');
  }
  return { statuses: [...statuses], bom: bom.length === 1 && ['true', '1'].includes(bom[0].toLowerCase()) };
}

function list(value: unknown, field: string): string[] {
  if (value === undefined) {
    return [];
  }
  const values = Array.isArray(value) ? value : [value];
  if (!values.every((v): v is string => typeof v === 'string')) {
    throw new UserInputError(field, 'must be a plain query parameter');
  }
  return values;
}
