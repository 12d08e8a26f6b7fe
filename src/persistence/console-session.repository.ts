import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service';

export interface ConsoleSessionOwner {
  sessionId: string;
  accountId: string;
  apiKeyId: string;
  expiresAt: Date;
  /** The scopes of the key the session was opened with: a session can do what its key can. */
  scopes: string[];
}

@Injectable()
export class ConsoleSessionRepository {
  constructor(private readonly prisma: PrismaService) {}

  async create(session: { tokenHash: string; accountId: string; apiKeyId: string; expiresAt: Date }): Promise<void> {
    await this.prisma.consoleSession.create({ data: session, select: { id: true } });
  }

  /**
   * The session of this token hash when it is neither revoked nor expired and its API key is active
   * (neither revoked nor expired), with that key's scopes (one query).
   */
  async findActiveByHash(tokenHash: string, now: Date): Promise<ConsoleSessionOwner | null> {
    const rows = await this.prisma.$queryRaw<ConsoleSessionOwner[]>`
      SELECT s.id AS "sessionId", s."accountId", s."apiKeyId", s."expiresAt", k.scopes
      FROM "ConsoleSession" s
      JOIN "ApiKey" k ON k.id = s."apiKeyId" AND k."revokedAt" IS NULL AND (k."expiresAt" IS NULL OR k."expiresAt" > ${now})
      WHERE s."tokenHash" = ${tokenHash} AND s."revokedAt" IS NULL AND s."expiresAt" > ${now}`;
    return rows[0] ?? null;
  }

  /** Of these token hashes, those whose session is still active (as findActiveByHash), in one query. */
  async findActiveHashes(tokenHashes: string[], now: Date): Promise<string[]> {
    if (tokenHashes.length === 0) {
      return [];
    }
    const rows = await this.prisma.$queryRaw<Array<{ tokenHash: string }>>`
      SELECT s."tokenHash"
      FROM "ConsoleSession" s
      JOIN "ApiKey" k ON k.id = s."apiKeyId" AND k."revokedAt" IS NULL AND (k."expiresAt" IS NULL OR k."expiresAt" > ${now})
      WHERE s."tokenHash" = ANY(${tokenHashes}::text[]) AND s."revokedAt" IS NULL AND s."expiresAt" > ${now}`;
    return rows.map((row) => row.tokenHash);
  }

  /** Revokes the session of this token hash; true when it was active. */
  async revokeByHash(tokenHash: string, now: Date): Promise<boolean> {
    const { count } = await this.prisma.consoleSession.updateMany({
      where: { tokenHash, revokedAt: null },
      data: { revokedAt: now },
    });
    return count > 0;
  }

  /** Removes sessions that ended (expired or revoked) before `before`; returns how many. */
  async deleteEnded(before: Date): Promise<number> {
    const { count } = await this.prisma.consoleSession.deleteMany({
      where: { OR: [{ expiresAt: { lt: before } }, { revokedAt: { lt: before } }] },
    });
    return count;
  }
}
