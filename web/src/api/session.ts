import { closeSubscriptions, rest } from './graphql';

export interface Session {
  accountId: string;
  expiresAt: string;
  /** The key's scopes, e.g. campaigns:read, admin. */
  scopes: string[];
}

/** The key goes to the server once and is forgotten: only the HttpOnly cookie remains. */
export async function signIn(apiKey: string): Promise<Session> {
  const session = await rest<Session>('POST', '/api/session', { apiKey });
  if (!session) {
    throw new Error('The server did not open a session');
  }
  return session;
}

export async function currentSession(): Promise<Session | null> {
  try {
    return (await rest<Session>('GET', '/api/session')) ?? null;
  } catch {
    return null;
  }
}

export async function signOut(): Promise<void> {
  closeSubscriptions();
  await rest('DELETE', '/api/session');
}
