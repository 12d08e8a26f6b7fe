import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service';

const LOOKUP_CHUNK = 50_000;

/** The opt-out list: numbers never sent to again by the account. */
@Injectable()
export class SuppressionRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Which of `phones` the account has suppressed; one query per 50,000 numbers. */
  async findSuppressed(accountId: string, phones: string[]): Promise<Set<string>> {
    const suppressed = new Set<string>();
    for (let start = 0; start < phones.length; start += LOOKUP_CHUNK) {
      // E.164 numbers contain no comma: one text parameter is far cheaper to send than an array.
      const chunk = phones.slice(start, start + LOOKUP_CHUNK).join(',');
      const rows = await this.prisma.$queryRaw<Array<{ phone: string }>>`
        SELECT s.phone FROM "Suppression" s
        WHERE s."accountId" = ${accountId}::uuid AND s.phone = ANY(string_to_array(${chunk}, ','))`;
      for (const row of rows) {
        suppressed.add(row.phone);
      }
    }
    return suppressed;
  }

  /** Adds numbers to accounts' lists; existing entries are kept as they are. */
  async addMany(entries: Array<{ accountId: string; phone: string; reason: string }>): Promise<void> {
    if (entries.length === 0) {
      return;
    }
    await this.prisma.suppression.createMany({ data: entries, skipDuplicates: true });
  }
}
