import { CliContext } from './cli-context';

interface ApiKeyView {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  active: boolean;
}

const KEY_FIELDS = 'id name scopes createdAt expiresAt revokedAt active';

/** The server's enum names (CAMPAIGNS_READ) from the scopes as people write them (campaigns:read). */
function toEnumName(scope: string): string {
  return scope.toUpperCase().replace(':', '_');
}

function toScopeName(value: string): string {
  return value.toLowerCase().replace('_', ':');
}

function describeKey(key: ApiKeyView): string {
  const state = key.revokedAt ? `revoked ${key.revokedAt}` : key.active ? 'active' : `expired ${key.expiresAt}`;
  const expiry = key.expiresAt && key.active ? `, expires ${key.expiresAt}` : '';
  return `${key.id}  ${key.name}  [${key.scopes.map(toScopeName).join(', ')}]  ${state}${expiry}`;
}

export async function listKeysCommand(context: CliContext, accountId: string): Promise<void> {
  const data = await context.api.request<{ apiKeys: ApiKeyView[] }>(
    `query($accountId: ID!) { apiKeys(accountId: $accountId) { ${KEY_FIELDS} } }`,
    { accountId },
  );
  for (const key of data.apiKeys) {
    context.print(describeKey(key));
  }
}

/** Prints the key material once: the server keeps only its hash. */
export async function createKeyCommand(
  context: CliContext,
  request: { accountId: string; keyName: string; scopes: string[]; expiresAt?: Date },
): Promise<void> {
  const data = await context.api.request<{ createApiKey: { key: string; apiKey: ApiKeyView } }>(
    `mutation($accountId: ID!, $name: String!, $scopes: [Scope!]!, $expiresAt: DateTime) {
      createApiKey(accountId: $accountId, name: $name, scopes: $scopes, expiresAt: $expiresAt) { key apiKey { ${KEY_FIELDS} } }
    }`,
    {
      accountId: request.accountId,
      name: request.keyName,
      scopes: request.scopes.map(toEnumName),
      expiresAt: request.expiresAt?.toISOString() ?? null,
    },
  );
  context.print(describeKey(data.createApiKey.apiKey));
  context.print(`Key (shown once, keep it now): ${data.createApiKey.key}`);
}

export async function revokeKeyCommand(context: CliContext, keyId: string): Promise<void> {
  const data = await context.api.request<{ revokeApiKey: ApiKeyView }>(
    `mutation($id: ID!) { revokeApiKey(id: $id) { ${KEY_FIELDS} } }`,
    { id: keyId },
  );
  context.print(describeKey(data.revokeApiKey));
}
