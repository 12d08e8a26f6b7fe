import { SetMetadata } from '@nestjs/common';

export const AUDITED_ACCOUNT = 'auditedAccount';

export type AuditedAccountOf = (args: Record<string, unknown>, result: unknown) => string | undefined;

/**
 * Which account an audited call acted upon, when it is neither the `accountId` argument nor the
 * caller's own account (e.g. createAccount: the new account; revokeApiKey: the key's account).
 */
export const AuditedAccount = (of: AuditedAccountOf) => SetMetadata(AUDITED_ACCOUNT, of);
