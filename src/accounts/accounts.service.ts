import { Injectable } from '@nestjs/common';
import { ApiKeyHasher } from '../common/auth/api-key-hasher';
import { ApiKeyService } from '../common/auth/api-key.service';
import { ConsoleSessionService } from '../common/auth/console-session.service';
import { Scope, toScopes } from '../common/auth/scope.enum';
import { NotFoundError, UserInputError } from '../common/errors/domain-error';
import { GraphqlWsConnections } from '../common/graphql/graphql-ws-connections';
import { Clock } from '../common/time/clock';
import { AccountRepository, AccountRow, ApiKeyRow, Page } from '../persistence/account.repository';
import { ApiKey, CreatedApiKey } from './models/api-key.model';

/** What the admin key does: accounts, and the keys of any account. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly hasher: ApiKeyHasher,
    private readonly apiKeys: ApiKeyService,
    private readonly sessions: ConsoleSessionService,
    private readonly connections: GraphqlWsConnections,
    private readonly clock: Clock,
  ) {}

  createAccount(name: string): Promise<AccountRow> {
    return this.accounts.createAccount(name.trim());
  }

  listAccounts(first: number, after?: string | null): Promise<Page<AccountRow>> {
    return this.accounts.listAccounts(first, after ?? undefined);
  }

  /** The key material is returned here once; only its SHA-256 hash is stored. */
  async createApiKey(request: {
    accountId: string;
    name: string;
    scopes: Scope[];
    expiresAt?: Date | null;
  }): Promise<CreatedApiKey> {
    if (!(await this.accounts.findAccount(request.accountId))) {
      throw new UserInputError('accountId', 'no account with this id');
    }
    const now = this.clock.now();
    if (request.expiresAt && request.expiresAt.getTime() <= now.getTime()) {
      throw new UserInputError('expiresAt', 'must be in the future');
    }
    const key = this.hasher.generate();
    const row = await this.accounts.createKey({
      accountId: request.accountId,
      keyHash: this.hasher.hash(key),
      name: request.name.trim(),
      scopes: request.scopes,
      expiresAt: request.expiresAt ?? null,
    });
    return { apiKey: this.toApiKey(row, now), key };
  }

  async listApiKeys(accountId: string): Promise<ApiKey[]> {
    if (!(await this.accounts.findAccount(accountId))) {
      throw new NotFoundError('Account');
    }
    const now = this.clock.now();
    return (await this.accounts.listKeys(accountId)).map((row) => this.toApiKey(row, now));
  }

  /**
   * Revoked in the database first; then this instance forgets it (and the console sessions opened
   * with it) and closes its graphql-ws connections at once. Other instances refuse it within 30 s
   * (their key and session caches) and close its connections within WS_AUTH_RECHECK_SECONDS.
   */
  async revokeApiKey(id: string): Promise<ApiKey> {
    const now = this.clock.now();
    const row = await this.accounts.revokeKey(id, now);
    if (!row) {
      throw new NotFoundError('API key');
    }
    this.apiKeys.forgetKey(row.id);
    this.sessions.forgetKey(row.id);
    this.connections.closeKey(row.id);
    return this.toApiKey(row, now);
  }

  private toApiKey(row: ApiKeyRow, now: Date): ApiKey {
    return {
      ...row,
      scopes: toScopes(row.scopes),
      active: !row.revokedAt && (!row.expiresAt || row.expiresAt.getTime() > now.getTime()),
    };
  }
}
