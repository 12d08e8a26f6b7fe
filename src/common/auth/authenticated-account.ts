/** Who is calling: every query and mutation is scoped to this account. */
export interface AuthenticatedAccount {
  accountId: string;
  apiKeyId: string;
}

export const API_KEY_HEADER = 'x-api-key';
