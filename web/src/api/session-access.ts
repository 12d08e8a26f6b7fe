import { ApiError, gql } from './graphql';

/** What the signed-in key may read: which pages the navigation offers. */
export interface SessionAccess {
  /** campaigns:read: campaigns, opt-outs and webhooks. */
  read: boolean;
  /** admin: accounts and keys. */
  admin: boolean;
}

// The smallest read each scope allows. The session does not list its key's scopes, so the console
// asks; the write scopes cannot be asked without writing, and pages learn them from a refusal.
const CAN_READ = 'query CanRead { campaigns(first: 1) { pageInfo { hasNextPage } } }';
const CAN_ADMINISTER = 'query CanAdminister { accounts(first: 1) { pageInfo { hasNextPage } } }';

async function allowed(query: string): Promise<boolean> {
  try {
    await gql(query);
    return true;
  } catch (caught) {
    if (isForbidden(caught)) {
      return false;
    }
    throw caught;
  }
}

/** The server's answer to a key without the scope an operation needs. */
export function isForbidden(caught: unknown): boolean {
  return caught instanceof ApiError && caught.code === 'FORBIDDEN';
}

export async function sessionAccess(): Promise<SessionAccess> {
  const [read, admin] = await Promise.all([allowed(CAN_READ), allowed(CAN_ADMINISTER)]);
  return { read, admin };
}
