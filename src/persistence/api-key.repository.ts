import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service';

export interface ApiKeyOwner {
  apiKeyId: string;
  accountId: string;
}

export interface ActiveApiKey extends ApiKeyOwner {
  keyHash: string;
  scopes: string[];
  expiresAt: Date | null;
}

@Injectable()
export class ApiKeyRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The key with this hash unless revoked; the caller checks `expiresAt` against its clock. */
  async findActiveByHash(keyHash: string): Promise<ActiveApiKey | null> {
    const key = await this.prisma.apiKey.findUnique({
      where: { keyHash },
      select: { id: true, accountId: true, keyHash: true, scopes: true, expiresAt: true, revokedAt: true },
    });
    if (!key || key.revokedAt) {
      return null;
    }
    return {
      apiKeyId: key.id,
      accountId: key.accountId,
      keyHash: key.keyHash,
      scopes: key.scopes,
      expiresAt: key.expiresAt,
    };
  }

  /** Of the given key ids, those neither revoked nor expired (one query for all open connections). */
  async findActiveKeyIds(apiKeyIds: string[], now: Date = new Date()): Promise<string[]> {
    const keys = await this.prisma.apiKey.findMany({
      where: { id: { in: apiKeyIds }, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
      select: { id: true },
    });
    return keys.map((key) => key.id);
  }

  /**
   * Creates the account (if new) and the key in one transaction. Without `scopes`, the key gets
   * the column's default: every account scope.
   */
  async createAccountWithKey(
    accountName: string,
    keyHash: string,
    label: string,
    scopes?: readonly string[],
  ): Promise<ApiKeyOwner> {
    const account = await this.prisma.account.create({
      data: { name: accountName, apiKeys: { create: { keyHash, label, ...(scopes && { scopes: [...scopes] }) } } },
      select: { id: true, apiKeys: { select: { id: true } } },
    });
    return { accountId: account.id, apiKeyId: account.apiKeys[0].id };
  }

  async findAccountIdByName(name: string): Promise<string | null> {
    const account = await this.prisma.account.findFirst({
      where: { name },
      select: { id: true },
      orderBy: { createdAt: 'asc' },
    });
    return account?.id ?? null;
  }

  /** Adds the key, or sets the scopes of the key already there (a restart with new scopes). */
  async addKey(accountId: string, keyHash: string, label: string, scopes: readonly string[]): Promise<void> {
    await this.prisma.apiKey.upsert({
      where: { keyHash },
      create: { accountId, keyHash, label, scopes: [...scopes] },
      update: { scopes: [...scopes] },
    });
  }

  /** Revokes every active key with this label on the account; returns how many. */
  async revokeLabelledKeys(accountId: string, label: string): Promise<number> {
    const { count } = await this.prisma.apiKey.updateMany({
      where: { accountId, label, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return count;
  }

  async isRevoked(keyHash: string): Promise<boolean> {
    const key = await this.prisma.apiKey.findUnique({ where: { keyHash }, select: { revokedAt: true } });
    return Boolean(key?.revokedAt);
  }

  /**
   * Makes `keyHash` the one active key with this label on the account: a rotated bootstrap key
   * stops working as soon as the new one is configured.
   */
  async replaceLabelledKey(
    accountId: string,
    keyHash: string,
    label: string,
    scopes: readonly string[],
  ): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.apiKey.upsert({
        where: { keyHash },
        create: { accountId, keyHash, label, scopes: [...scopes] },
        update: { revokedAt: null, scopes: [...scopes] },
      });
      await tx.apiKey.updateMany({
        where: { accountId, label, keyHash: { not: keyHash }, revokedAt: null },
        data: { revokedAt: new Date() },
      });
    });
  }
}
