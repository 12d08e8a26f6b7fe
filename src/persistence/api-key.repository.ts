import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service';

export interface ApiKeyOwner {
  apiKeyId: string;
  accountId: string;
}

@Injectable()
export class ApiKeyRepository {
  constructor(private readonly prisma: PrismaService) {}

  async findActiveByHash(keyHash: string): Promise<(ApiKeyOwner & { keyHash: string }) | null> {
    const key = await this.prisma.apiKey.findUnique({
      where: { keyHash },
      select: { id: true, accountId: true, keyHash: true, revokedAt: true },
    });
    if (!key || key.revokedAt) {
      return null;
    }
    return { apiKeyId: key.id, accountId: key.accountId, keyHash: key.keyHash };
  }

  /** Of the given key ids, those not revoked (one query for all open connections). */
  async findActiveKeyIds(apiKeyIds: string[]): Promise<string[]> {
    const keys = await this.prisma.apiKey.findMany({
      where: { id: { in: apiKeyIds }, revokedAt: null },
      select: { id: true },
    });
    return keys.map((key) => key.id);
  }

  /** Creates the account (if new) and the key in one transaction. */
  async createAccountWithKey(accountName: string, keyHash: string, label: string): Promise<ApiKeyOwner> {
    const account = await this.prisma.account.create({
      data: { name: accountName, apiKeys: { create: { keyHash, label } } },
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

  async addKey(accountId: string, keyHash: string, label: string): Promise<void> {
    await this.prisma.apiKey.upsert({ where: { keyHash }, create: { accountId, keyHash, label }, update: {} });
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
  async replaceLabelledKey(accountId: string, keyHash: string, label: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.apiKey.upsert({
        where: { keyHash },
        create: { accountId, keyHash, label },
        update: { revokedAt: null },
      });
      await tx.apiKey.updateMany({
        where: { accountId, label, keyHash: { not: keyHash }, revokedAt: null },
        data: { revokedAt: new Date() },
      });
    });
  }
}
