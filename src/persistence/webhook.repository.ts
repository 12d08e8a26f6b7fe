import { Injectable } from '@nestjs/common';
import { Db } from './db';
import { PrismaService } from './prisma.service';
import { isUuid } from './campaign.repository';

export interface WebhookEndpointRecord {
  id: string;
  accountId: string;
  url: string;
  events: string[];
  createdAt: Date;
  disabledAt: Date | null;
  disabledReason: string | null;
  consecutiveFailures: number;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
}

export type WebhookDeliveryState = 'PENDING' | 'DELIVERED' | 'FAILED';

export interface WebhookDeliveryRecord {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  campaignId: string | null;
  state: WebhookDeliveryState;
  attempts: number;
  nextAttemptAt: Date;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

/** A delivery leased to this instance, with what is needed to send it. */
export interface ClaimedDelivery {
  id: string;
  endpointId: string;
  attempts: number;
  url: string;
  secret: string;
  eventId: string;
  type: string;
  payload: unknown;
  eventCreatedAt: Date;
}

export interface DeliveryOutcome {
  id: string;
  delivered: boolean;
  /** Null when delivered or given up. */
  nextAttemptAt: Date | null;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface EndpointOutcome {
  endpointId: string;
  /** The latest attempt in this batch succeeded. */
  ok: boolean;
  failures: number;
  /** Disable unless the endpoint succeeded since `failingSince` (null: do not disable). */
  disableReason: string | null;
  failingSince: Date | null;
}

export interface OptOutEvent {
  accountId: string;
  phone: string;
  campaignId: string | null;
  source: string;
}

const ENDPOINT_COLUMNS = `id, "accountId", url, events, "createdAt", "disabledAt", "disabledReason",
  "consecutiveFailures", "lastSuccessAt", "lastFailureAt"`;

/** Customer webhook endpoints, the outbox's deliveries and their log. */
@Injectable()
export class WebhookRepository {
  constructor(private readonly db: PrismaService) {}

  async createEndpoint(
    accountId: string,
    url: string,
    events: string[],
    secret: string,
  ): Promise<WebhookEndpointRecord> {
    const rows = await this.db.$queryRawUnsafe<WebhookEndpointRecord[]>(
      `INSERT INTO "WebhookEndpoint" ("accountId", url, events, secret) VALUES ($1::uuid, $2, $3::text[], $4)
       RETURNING ${ENDPOINT_COLUMNS}`,
      accountId,
      url,
      events,
      secret,
    );
    return rows[0];
  }

  countEndpoints(accountId: string): Promise<number> {
    return this.db.webhookEndpoint.count({ where: { accountId } });
  }

  listEndpoints(accountId: string): Promise<WebhookEndpointRecord[]> {
    return this.db.$queryRawUnsafe<WebhookEndpointRecord[]>(
      `SELECT ${ENDPOINT_COLUMNS} FROM "WebhookEndpoint" WHERE "accountId" = $1::uuid ORDER BY "createdAt", id`,
      accountId,
    );
  }

  async findEndpoint(accountId: string, id: string): Promise<WebhookEndpointRecord | null> {
    if (!isUuid(id)) {
      return null;
    }
    const rows = await this.db.$queryRawUnsafe<WebhookEndpointRecord[]>(
      `SELECT ${ENDPOINT_COLUMNS} FROM "WebhookEndpoint" WHERE id = $1::uuid AND "accountId" = $2::uuid`,
      id,
      accountId,
    );
    return rows[0] ?? null;
  }

  /** Deletes the endpoint with its delivery log; false when the account has no such endpoint. */
  async deleteEndpoint(accountId: string, id: string): Promise<boolean> {
    if (!isUuid(id)) {
      return false;
    }
    const { count } = await this.db.webhookEndpoint.deleteMany({ where: { id, accountId } });
    return count === 1;
  }

  /** Enabled again with a clean failure streak; its pending deliveries resume. */
  async enableEndpoint(accountId: string, id: string): Promise<WebhookEndpointRecord | null> {
    if (!isUuid(id)) {
      return null;
    }
    const rows = await this.db.$queryRawUnsafe<WebhookEndpointRecord[]>(
      `UPDATE "WebhookEndpoint" SET "disabledAt" = NULL, "disabledReason" = NULL, "consecutiveFailures" = 0
       WHERE id = $1::uuid AND "accountId" = $2::uuid RETURNING ${ENDPOINT_COLUMNS}`,
      id,
      accountId,
    );
    return rows[0] ?? null;
  }

  /** The endpoint's deliveries, newest first, keyset on the delivery id. */
  async listDeliveries(
    endpointId: string,
    first: number,
    beforeId: string | null,
    state: WebhookDeliveryState | null,
  ): Promise<WebhookDeliveryRecord[]> {
    return this.db.$queryRawUnsafe<WebhookDeliveryRecord[]>(
      `SELECT d.id::text AS id, d."endpointId", d."eventId", ev.type AS "eventType", ev."campaignId", d.state::text AS state,
              d.attempts, d."nextAttemptAt", d."lastAttemptAt", d."lastStatusCode", d."lastError", d."lastDurationMs",
              d."deliveredAt", d."createdAt"
       FROM "WebhookDelivery" d JOIN "WebhookEvent" ev ON ev.id = d."eventId"
       WHERE d."endpointId" = $1::uuid AND ($2::bigint IS NULL OR d.id < $2::bigint)
         AND ($3::text IS NULL OR d.state::text = $3::text)
       ORDER BY d.id DESC LIMIT $4`,
      endpointId,
      beforeId,
      state,
      first,
    );
  }

  /** Sends the delivery again as soon as possible (kept in its campaign's order); null if not the account's. */
  async replayDelivery(accountId: string, deliveryId: string): Promise<WebhookDeliveryRecord | null> {
    if (!/^\d{1,19}$/.test(deliveryId)) {
      return null;
    }
    const rows = await this.db.$queryRawUnsafe<Array<{ endpointId: string }>>(
      `UPDATE "WebhookDelivery" d SET state = 'PENDING', "nextAttemptAt" = now(), "leaseExpiresAt" = NULL
       FROM "WebhookEndpoint" e
       WHERE d.id = $1::bigint AND e.id = d."endpointId" AND e."accountId" = $2::uuid
       RETURNING d."endpointId"`,
      deliveryId,
      accountId,
    );
    if (rows.length === 0) {
      return null;
    }
    const [replayed] = await this.listDeliveries(rows[0].endpointId, 1, String(BigInt(deliveryId) + 1n), null);
    return replayed ?? null;
  }

  /**
   * Leases up to `limit` due deliveries: per endpoint and campaign only the oldest pending one (a
   * campaign's events reach an endpoint in order), never one of `busyEndpointIds`.
   */
  async claimDue(limit: number, busyEndpointIds: string[], leaseMs: number): Promise<ClaimedDelivery[]> {
    const leased = await this.db.$queryRaw<Array<{ id: string }>>`
      WITH due AS (
        SELECT d.id FROM "WebhookDelivery" d
        JOIN "WebhookEndpoint" e ON e.id = d."endpointId"
        WHERE d.state = 'PENDING' AND d."nextAttemptAt" <= now()
          AND (d."leaseExpiresAt" IS NULL OR d."leaseExpiresAt" < now())
          AND e."disabledAt" IS NULL
          AND NOT (d."endpointId" = ANY(${busyEndpointIds}::uuid[]))
          AND NOT EXISTS (
            SELECT 1 FROM "WebhookDelivery" p
            WHERE p."endpointId" = d."endpointId" AND p."orderingKey" = d."orderingKey" AND p.state = 'PENDING' AND p.id < d.id)
        ORDER BY d."nextAttemptAt", d.id
        LIMIT ${limit}
        FOR UPDATE OF d SKIP LOCKED
      )
      UPDATE "WebhookDelivery" d SET
        "leaseExpiresAt" = now() + ${leaseMs} * interval '1 millisecond',
        attempts = d.attempts + 1,
        "lastAttemptAt" = now()
      FROM due WHERE d.id = due.id
      RETURNING d.id::text AS id`;
    if (leased.length === 0) {
      return [];
    }
    // A statement of its own, after the lease: a message.final payload may have been extended by a
    // transaction that committed while the lease statement ran (the trigger only extends events none
    // of whose deliveries is leased, and it locks them while it does).
    return this.db.$queryRaw<ClaimedDelivery[]>`
      SELECT d.id::text AS id, d."endpointId", d.attempts, e.url, e.secret, ev.id AS "eventId", ev.type, ev.payload,
             ev."createdAt" AS "eventCreatedAt"
      FROM "WebhookDelivery" d JOIN "WebhookEndpoint" e ON e.id = d."endpointId" JOIN "WebhookEvent" ev ON ev.id = d."eventId"
      WHERE d.id = ANY(${leased.map((row) => row.id)}::bigint[])
      ORDER BY d.id`;
  }

  /**
   * Records attempts and their endpoints' health in one transaction of two statements, whatever
   * the number of outcomes. Returns the endpoints this call disabled.
   */
  async recordOutcomes(
    deliveries: DeliveryOutcome[],
    endpoints: EndpointOutcome[],
  ): Promise<Array<{ id: string; accountId: string; disabledReason: string }>> {
    const [, disabled] = await this.db.$transaction([
      this.db.$executeRaw`
        WITH v AS (
          SELECT * FROM json_to_recordset(${JSON.stringify(deliveries)}::json) AS v(
            id bigint, delivered boolean, "nextAttemptAt" timestamptz, "statusCode" int, error text, "durationMs" int)
        )
        UPDATE "WebhookDelivery" d SET
          state = (CASE WHEN v.delivered THEN 'DELIVERED' WHEN v."nextAttemptAt" IS NULL THEN 'FAILED' ELSE 'PENDING' END)::"WebhookDeliveryState",
          "nextAttemptAt" = coalesce(v."nextAttemptAt", d."nextAttemptAt"),
          "leaseExpiresAt" = NULL,
          "lastStatusCode" = v."statusCode",
          "lastError" = v.error,
          "lastDurationMs" = v."durationMs",
          "deliveredAt" = CASE WHEN v.delivered THEN now() ELSE d."deliveredAt" END
        FROM v WHERE d.id = v.id`,
      this.db.$queryRaw<Array<{ id: string; accountId: string; disabledReason: string }>>`
        WITH v AS (
          SELECT * FROM json_to_recordset(${JSON.stringify(endpoints)}::json) AS v(
            "endpointId" uuid, ok boolean, failures int, "disableReason" text, "failingSince" timestamptz)
        ),
        updated AS (
          UPDATE "WebhookEndpoint" e SET
            "consecutiveFailures" = CASE WHEN v.ok THEN 0 ELSE e."consecutiveFailures" + v.failures END,
            "lastSuccessAt" = CASE WHEN v.ok THEN now() ELSE e."lastSuccessAt" END,
            "lastFailureAt" = CASE WHEN v.failures > 0 THEN now() ELSE e."lastFailureAt" END,
            "disabledAt" = CASE WHEN x.disable THEN now() ELSE e."disabledAt" END,
            "disabledReason" = CASE WHEN x.disable THEN v."disableReason" ELSE e."disabledReason" END
          FROM v CROSS JOIN LATERAL (
            SELECT v."disableReason" IS NOT NULL AND NOT v.ok
              AND (v."failingSince" IS NULL OR "lastSuccessAt" IS NULL OR "lastSuccessAt" < v."failingSince") AS disable
            FROM "WebhookEndpoint" WHERE id = v."endpointId" AND "disabledAt" IS NULL
          ) x
          WHERE e.id = v."endpointId"
          RETURNING e.id, e."accountId", e."disabledReason", x.disable
        )
        SELECT id, "accountId", "disabledReason" FROM updated WHERE disable`,
    ]);
    return disabled;
  }

  /**
   * recipient.opted_out, through the database function every opt-out path calls
   * (webhook_recipient_opted_out): pass the transaction that records the suppressions.
   */
  async recipientsOptedOut(events: OptOutEvent[], db: Db): Promise<void> {
    if (events.length === 0) {
      return;
    }
    await db.$queryRaw`
      SELECT "webhook_recipient_opted_out"(e."accountId", e.phone, e."campaignId", e.source)::text
      FROM json_to_recordset(${JSON.stringify(events)}::json) AS e("accountId" uuid, phone text, "campaignId" uuid, source text)`;
  }
}
