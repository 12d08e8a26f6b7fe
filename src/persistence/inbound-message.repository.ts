import { Injectable } from '@nestjs/common';
import { Db, InjectDb } from './db';

export interface NewInboundMessage {
  messageUuid: string;
  /** E.164 with '+'. */
  from: string;
  to: string;
  text: string;
  type: string;
  payload: Record<string, string>;
}

/** stored: a new row; duplicate: the same MessageUUID is already stored; replay: nonce seen within the window. */
export type InboundAppendOutcome = 'stored' | 'duplicate' | 'replay';

export interface ClaimedInbound {
  id: string;
  messageUuid: string;
  from: string;
  to: string;
  text: string;
}

/** Inbound SMS as Plivo sent them: a durable log, processed in claimed batches. */
@Injectable()
export class InboundMessageRepository {
  constructor(@InjectDb() private readonly db: Db) {}

  /**
   * Stores the message and its signature nonce in ONE statement: a nonce seen within `replayWindowMs`
   * writes nothing at all (replay); a MessageUUID already stored is a duplicate (Plivo's retry).
   */
  async append(message: NewInboundMessage, nonce: string, replayWindowMs: number): Promise<InboundAppendOutcome> {
    const [row] = await this.db.$queryRaw<Array<{ outcome: InboundAppendOutcome }>>`
      WITH fresh_nonce AS (
        INSERT INTO "WebhookNonce" (nonce, "receivedAt") VALUES (${nonce}, now())
        ON CONFLICT (nonce) DO UPDATE SET "receivedAt" = excluded."receivedAt"
          WHERE "WebhookNonce"."receivedAt" < now() - ${replayWindowMs}::int * interval '1 millisecond'
        RETURNING nonce
      ),
      stored AS (
        INSERT INTO "InboundMessage" ("messageUuid", "from", "to", text, type, payload)
        SELECT ${message.messageUuid}, ${message.from}, ${message.to}, ${message.text}, ${message.type},
          ${JSON.stringify(message.payload)}::jsonb
        WHERE EXISTS (SELECT 1 FROM fresh_nonce)
        ON CONFLICT ("messageUuid") DO NOTHING
        RETURNING id
      )
      SELECT CASE
        WHEN NOT EXISTS (SELECT 1 FROM fresh_nonce) THEN 'replay'
        WHEN EXISTS (SELECT 1 FROM stored) THEN 'stored'
        ELSE 'duplicate' END AS outcome`;
    return row.outcome;
  }

  /** Locks the oldest unprocessed messages (SKIP LOCKED: instances share the work). */
  async claimUnprocessed(limit: number): Promise<ClaimedInbound[]> {
    return this.db.$queryRaw<ClaimedInbound[]>`
      SELECT id::text AS id, "messageUuid", "from", "to", text FROM "InboundMessage"
      WHERE "processedAt" IS NULL
      ORDER BY "InboundMessage".id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED`;
  }

  async markProcessed(outcomes: Array<{ id: string; outcome: string }>): Promise<void> {
    if (outcomes.length === 0) {
      return;
    }
    await this.db.$executeRaw`
      UPDATE "InboundMessage" AS i SET "processedAt" = now(), outcome = o.outcome
      FROM json_to_recordset(${JSON.stringify(outcomes)}::json) AS o(id bigint, outcome text)
      WHERE i.id = o.id`;
  }
}
