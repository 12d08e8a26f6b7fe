import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service';

export interface AccountSettingsRow {
  accountId: string;
  plivoAuthId: string | null;
  /** AES-256-GCM sealed (see SettingsCipher); never decrypted here. */
  plivoAuthTokenEncrypted: string | null;
  senderIds: string[];
  mps: number | null;
  defaultCountry: string | null;
  updatedAt: Date;
}

export type AccountSettingsChange = Partial<Omit<AccountSettingsRow, 'accountId' | 'updatedAt'>>;

@Injectable()
export class AccountSettingsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async find(accountId: string): Promise<AccountSettingsRow | null> {
    return this.prisma.accountSettings.findUnique({ where: { accountId } });
  }

  /** Of these accounts, the settings of those with their own Plivo credentials (one query). */
  async findWithOwnCredentials(accountIds: string[]): Promise<AccountSettingsRow[]> {
    return this.prisma.accountSettings.findMany({
      where: { accountId: { in: accountIds }, plivoAuthId: { not: null }, plivoAuthTokenEncrypted: { not: null } },
    });
  }

  /** Applies only the fields present in `change`; creates the row on first use. */
  async update(accountId: string, change: AccountSettingsChange): Promise<AccountSettingsRow> {
    return this.prisma.accountSettings.upsert({
      where: { accountId },
      create: { accountId, ...change },
      update: change,
    });
  }
}
