import type { Scope } from './scope.enum';

/** Who is calling: every query and mutation is scoped to this account, and limited to these scopes. */
export interface AuthenticatedAccount {
  accountId: string;
  apiKeyId: string;
  scopes: readonly Scope[];
}

export const API_KEY_HEADER = 'x-api-key';
