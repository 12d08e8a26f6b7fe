import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client';
import { ConsentRepository } from './consent.repository';
import { Db, InjectDb, inTransaction } from './db';
import { makeListMessages, unmadeBatchesHolding } from './list-messages';
import { ERASED_PREFIX } from './suppression.repository';

/**
 * Removes one number's personal data from an account: everywhere the number is stored it becomes
 * `erased:<keyed hash>`; message status, cost and counters stay. Numbers are found through the
 * account's batches (the (batchId, to) index) and its never-batched SUPPRESSED messages.
 */
@Injectable()
export class ErasureRepository {
  constructor(@InjectDb() private readonly db: Db) {}

  async erase(
    accountId: string,
    phone: string,
    hash: string,
    suppression: { reason: string; source: string },
  ): Promise<{ messages: number; campaignIds: string[] }> {
    const erased = ERASED_PREFIX + hash;
    return inTransaction(this.db, async (tx) => {
      // A list's batches not claimed yet that hold the number get their messages first (the list's entry goes
      // below), so that the number's message is recorded, suppressed and erased as any other.
      const holding = await unmadeBatchesHolding(tx, phone, { accountId });
      if (holding.length > 0) {
        await makeListMessages(tx, { batchIds: holding });
      }
      // Waiting messages are never sent to a hash: they become SUPPRESSED first.
      const { campaignIds } = await new ConsentRepository(tx).suppressWaitingMessages([{ accountId, phone }]);
      // The number's replies are one row each, shared by every account it replied to: this account's are those
      // to a sender it messaged the number from (the rule that attributes replies), and only when no other account
      // did, so that erasing here never blanks another account's replies. A reply not processed yet is left: a STOP
      // in it must still suppress the number for the accounts it answers. (Before the messages below lose the number.)
      await tx.$executeRaw`
        UPDATE "InboundMessage" i SET "from" = ${erased}, text = '', payload = '{}'::jsonb
        WHERE i."from" = ${phone} AND i."processedAt" IS NOT NULL
          AND EXISTS (${messagedFromSender(Prisma.sql`c."accountId" = ${accountId}::uuid`, phone)})
          AND NOT EXISTS (${messagedFromSender(Prisma.sql`c."accountId" <> ${accountId}::uuid`, phone)})`;
      const messages = await tx.$queryRaw<Array<{ providerMessageId: string | null; batchId: string | null }>>`
        UPDATE "Message" m SET "to" = ${erased}, "updatedAt" = now()
        WHERE m.id IN (
          SELECT id FROM "Message" WHERE id IN (
            SELECT m2.id FROM "Campaign" c JOIN "Batch" b ON b."campaignId" = c.id
              JOIN "Message" m2 ON m2."batchId" = b.id AND m2."to" = ${phone}
            WHERE c."accountId" = ${accountId}::uuid
            UNION ALL
            SELECT m3.id FROM "Campaign" c JOIN "Message" m3 ON m3."campaignId" = c.id
              AND m3.status = 'SUPPRESSED' AND m3."batchId" IS NULL AND m3."to" = ${phone}
            WHERE c."accountId" = ${accountId}::uuid)
          ORDER BY id FOR NO KEY UPDATE)
        RETURNING m."providerMessageId", m."batchId"`;
      const uuids = messages.map((m) => m.providerMessageId).filter((u): u is string => u !== null);
      await tx.$executeRaw`
        UPDATE "DeliveryReport" SET "to" = ${erased},
          payload = payload - 'To' - 'From' || jsonb_build_object('To', ${erased}::text)
        WHERE "messageUuid" = ANY(${uuids}::text[])
          OR ("to" = ${phone} AND "batchId" IN (SELECT b.id FROM "Batch" b JOIN "Campaign" c ON c.id = b."campaignId"
            WHERE c."accountId" = ${accountId}::uuid))`;
      // A personalized text rendered for this number alone (a batch of one) goes too; a text that other
      // recipients share stays with their batch, and is no longer shown for the erased message.
      const batchIds = [...new Set(messages.flatMap((m) => (m.batchId ? [m.batchId] : [])))];
      await tx.$executeRaw`
        UPDATE "Batch" SET text = '' WHERE id = ANY(${batchIds}::uuid[]) AND text IS NOT NULL AND "recipientCount" = 1`;
      // The account's uploaded lists forget the number and its fields.
      await tx.$executeRaw`
        DELETE FROM "RecipientListEntry" WHERE phone = ${phone}
          AND "listId" IN (SELECT id FROM "RecipientList" WHERE "accountId" = ${accountId}::uuid)`;
      await tx.$executeRaw`
        UPDATE "RejectedRecipient" SET input = ${erased}
        WHERE input = ${phone} AND "campaignId" IN (SELECT id FROM "Campaign" WHERE "accountId" = ${accountId}::uuid)`;
      await tx.$executeRaw`
        UPDATE "ConsentRecord" SET phone = ${erased}, text = NULL
        WHERE "accountId" = ${accountId}::uuid AND phone = ${phone} AND source NOT IN ('INBOUND_KEYWORD')`;
      await tx.$executeRaw`
        UPDATE "ConsentRecord" SET phone = ${erased} WHERE "accountId" = ${accountId}::uuid AND phone = ${phone}`;
      await tx.$executeRaw`
        UPDATE "ConsentReply" SET phone = ${erased} WHERE "accountId" = ${accountId}::uuid AND phone = ${phone}`;
      await tx.$executeRaw`
        DELETE FROM "Suppression" WHERE "accountId" = ${accountId}::uuid AND phone = ${phone}`;
      await tx.$executeRaw`
        INSERT INTO "Suppression" ("accountId", phone, reason, source)
        VALUES (${accountId}::uuid, ${erased}, ${suppression.reason}, ${suppression.source})
        ON CONFLICT DO NOTHING`;
      return { messages: messages.length, campaignIds };
    });
  }
}

/** A campaign of the accounts `accounts` selects that messaged `phone` from the reply's `to` (alias i). */
function messagedFromSender(accounts: Prisma.Sql, phone: string): Prisma.Sql {
  return Prisma.sql`
    SELECT 1 FROM "Campaign" c JOIN "Batch" b ON b."campaignId" = c.id
      JOIN "Message" m ON m."batchId" = b.id AND m."to" = ${phone}
    WHERE ${accounts} AND ltrim(c."senderId", '+') = ltrim(i."to", '+')`;
}
