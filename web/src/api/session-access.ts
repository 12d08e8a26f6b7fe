import { ApiError } from './graphql';
import type { Session } from './session';

/** What the signed-in key may read: which pages the navigation offers. */
export interface SessionAccess {
  /** campaigns:read: campaigns, opt-outs and webhooks. */
  read: boolean;
  /** admin: accounts and keys. */
  admin: boolean;
}

/** The server's answer to a key without the scope an operation needs. */
export function isForbidden(caught: unknown): boolean {
  return caught instanceof ApiError && caught.code === 'FORBIDDEN';
}

/** From the session's scopes (the server checks every call all the same). */
export function sessionAccess(session: Session): SessionAccess {
  return { read: session.scopes.includes('campaigns:read'), admin: session.scopes.includes('admin') };
}
