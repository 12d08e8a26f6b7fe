import { Injectable } from '@nestjs/common';
import { isUuid } from './campaign.repository';
import { decodeCursor, encodeCursor, InvalidCursorError } from './keyset-cursor';
import { PrismaService } from './prisma.service';

export interface AccountRow {
  id: string;
  name: string;
  createdAt: Date;
}

export interface ApiKeyRow {
  id: string;
  accountId: string;
  name: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface Page<T> {
  items: Array<{ cursor: string; node: T }>;
  hasNextPage: boolean;
}

const API_KEY_SELECT = {
  id: true,
  accountId: true,
  label: true,
  scopes: true,
  createdAt: true,
  expiresAt: true,
  revokedAt: true,
} as const;

/** Accounts and their keys, as the admin manages them (authentication reads ApiKeyRepository). */
@Injectable()
export class AccountRepository {
  constructor(private readonly prisma: PrismaService) {}

  async createAccount(name: string): Promise<AccountRow> {
    return this.prisma.account.create({ data: { name }, select: { id: true, name: true, createdAt: true } });
  }

  async findAccount(id: string): Promise<AccountRow | null> {
    if (!isUuid(id)) {
      return null;
    }
    return this.prisma.account.findUnique({ where: { id }, select: { id: true, name: true, createdAt: true } });
  }

  /** Oldest first, so the default account leads and new accounts append. */
  async listAccounts(first: number, after?: string): Promise<Page<AccountRow>> {
    const position = after ? decodeCursor(after) : undefined;
    if (position && (Number.isNaN(Date.parse(position.sortKey)) || !isUuid(position.id))) {
      throw new InvalidCursorError(after!);
    }
    const rows = await this.prisma.account.findMany({
      where: position && {
        OR: [
          { createdAt: { gt: new Date(position.sortKey) } },
          { createdAt: new Date(position.sortKey), id: { gt: position.id } },
        ],
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: first + 1,
      select: { id: true, name: true, createdAt: true },
    });
    return {
      hasNextPage: rows.length > first,
      items: rows
        .slice(0, first)
        .map((row) => ({ cursor: encodeCursor(row.createdAt.toISOString(), row.id), node: row })),
    };
  }

  async createKey(key: {
    accountId: string;
    keyHash: string;
    name: string;
    scopes: readonly string[];
    expiresAt: Date | null;
  }): Promise<ApiKeyRow> {
    const row = await this.prisma.apiKey.create({
      data: {
        accountId: key.accountId,
        keyHash: key.keyHash,
        label: key.name,
        scopes: [...key.scopes],
        expiresAt: key.expiresAt,
      },
      select: API_KEY_SELECT,
    });
    return toApiKeyRow(row);
  }

  /** Every key of the account, revoked ones included, newest first (an account has few keys). */
  async listKeys(accountId: string): Promise<ApiKeyRow[]> {
    const rows = await this.prisma.apiKey.findMany({
      where: { accountId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      select: API_KEY_SELECT,
    });
    return rows.map(toApiKeyRow);
  }

  async findKey(id: string): Promise<ApiKeyRow | null> {
    if (!isUuid(id)) {
      return null;
    }
    const row = await this.prisma.apiKey.findUnique({ where: { id }, select: API_KEY_SELECT });
    return row ? toApiKeyRow(row) : null;
  }

  /** Revokes the key if still active; returns it as stored afterwards (null when unknown). */
  async revokeKey(id: string, now: Date): Promise<ApiKeyRow | null> {
    if (!isUuid(id)) {
      return null;
    }
    await this.prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
    return this.findKey(id);
  }
}

function toApiKeyRow(row: {
  id: string;
  accountId: string;
  label: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
}): ApiKeyRow {
  const { label, ...rest } = row;
  return { ...rest, name: label };
}
