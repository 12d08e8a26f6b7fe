import { Injectable } from '@nestjs/common';
import { AuditLogRepository, NewAuditEntry } from '../persistence/audit-log.repository';
import { auditDetails } from './audit-details';

export interface AuditRecord extends Omit<NewAuditEntry, 'details'> {
  /** Raw arguments and result ids; masked and bounded by auditDetails before they are stored. */
  details: Record<string, unknown>;
}

@Injectable()
export class AuditLogService {
  constructor(private readonly entries: AuditLogRepository) {}

  async record(record: AuditRecord): Promise<void> {
    await this.entries.append({ ...record, details: auditDetails(record.details) as Record<string, unknown> });
  }

  list(filter: { accountId?: string }, first: number, after?: string) {
    return this.entries.list(filter, first, after);
  }
}
