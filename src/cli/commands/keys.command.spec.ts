import { mock } from 'jest-mock-extended';
import { GraphqlApiClient } from '../graphql-api.client';
import { CliContext } from './cli-context';
import { createKeyCommand, listKeysCommand, revokeKeyCommand } from './keys.command';

describe('keys commands', () => {
  const key = {
    id: 'k1',
    name: 'ci',
    scopes: ['CAMPAIGNS_READ', 'CAMPAIGNS_WRITE'],
    createdAt: '2026-12-01T00:00:00.000Z',
    expiresAt: '2027-01-01T00:00:00.000Z',
    revokedAt: null,
    active: true,
  };

  function setup() {
    const api = mock<GraphqlApiClient>();
    const lines: string[] = [];
    const context: CliContext = {
      api,
      print: (line) => lines.push(line),
      progressOutput: process.stderr,
      readTextFile: () => '',
      uploadRecipientList: () => Promise.reject(new Error('not used by the keys commands')),
      uploadCampaign: () => Promise.reject(new Error('not used by the keys commands')),
    };
    return { api, lines, context };
  }

  it('should send the scopes as the server names them and print the key once', async () => {
    const { api, lines, context } = setup();
    api.request.mockResolvedValue({ createApiKey: { key: 'sk_secret', apiKey: key } });
    await createKeyCommand(context, {
      accountId: 'a1',
      keyName: 'ci',
      scopes: ['campaigns:read', 'campaigns:write'],
      expiresAt: new Date('2027-01-01T00:00:00Z'),
    });
    expect(api.request).toHaveBeenCalledWith(expect.stringContaining('createApiKey'), {
      accountId: 'a1',
      name: 'ci',
      scopes: ['CAMPAIGNS_READ', 'CAMPAIGNS_WRITE'],
      expiresAt: '2027-01-01T00:00:00.000Z',
    });
    expect(lines).toEqual([
      'k1  ci  [campaigns:read, campaigns:write]  active, expires 2027-01-01T00:00:00.000Z',
      'Key (shown once, keep it now): sk_secret',
    ]);
  });

  it('should list keys with their state, and print a revoked key', async () => {
    const { api, lines, context } = setup();
    api.request.mockResolvedValueOnce({
      apiKeys: [key, { ...key, id: 'k2', revokedAt: '2026-12-02T00:00:00.000Z', active: false }],
    });
    await listKeysCommand(context, 'a1');
    api.request.mockResolvedValueOnce({
      revokeApiKey: { ...key, expiresAt: null, revokedAt: '2026-12-03T00:00:00.000Z', active: false },
    });
    await revokeKeyCommand(context, 'k1');
    expect(lines).toEqual([
      'k1  ci  [campaigns:read, campaigns:write]  active, expires 2027-01-01T00:00:00.000Z',
      'k2  ci  [campaigns:read, campaigns:write]  revoked 2026-12-02T00:00:00.000Z',
      'k1  ci  [campaigns:read, campaigns:write]  revoked 2026-12-03T00:00:00.000Z',
    ]);
  });
});
