import { registerEnumType } from '@nestjs/graphql';

/** What an API key may do. Every resolver and REST route declares one (see @RequireScope). */
export enum Scope {
  CAMPAIGNS_READ = 'campaigns:read',
  CAMPAIGNS_WRITE = 'campaigns:write',
  SUPPRESSIONS_WRITE = 'suppressions:write',
  WEBHOOKS_WRITE = 'webhooks:write',
  ADMIN = 'admin',
}

registerEnumType(Scope, {
  name: 'Scope',
  description:
    'What an API key may do: CAMPAIGNS_READ (campaigns:read), CAMPAIGNS_WRITE (campaigns:write: send, pause, ' +
    'resume, cancel), SUPPRESSIONS_WRITE, WEBHOOKS_WRITE, ADMIN (accounts, keys, settings, audit log)',
});

/** Every scope an account's own key can hold: what the bootstrap key (API_KEY) is given. */
export const ACCOUNT_SCOPES: readonly Scope[] = Object.values(Scope).filter((scope) => scope !== Scope.ADMIN);

const KNOWN = new Set<string>(Object.values(Scope));

/** Stored scope strings to the enum; a scope no longer known is dropped, never widened. */
export function toScopes(stored: readonly string[]): Scope[] {
  return stored.filter((scope): scope is Scope => KNOWN.has(scope));
}
