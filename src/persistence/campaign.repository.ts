import { Injectable } from '@nestjs/common';
import Decimal from 'decimal.js';
import { randomUUID } from 'node:crypto';
import { CampaignRecord, RejectedRecipient } from '../domain/campaign.record';
import { CampaignStatus } from '../domain/campaign-status.enum';
import { Encoding } from '../domain/encoding.enum';
import { Prisma } from '../generated/prisma/client';
import type { Campaign as CampaignRow } from '../generated/prisma/client';
import type { BatchPlacement } from '../quiet-hours/recipient-placement';
import { updateWaitingMessagesOfBatches } from './waiting-messages-of-batches';
import { makeListMessages } from './list-messages';
import { yieldToIo } from '../common/async/yield-to-io';
import {
  findCampaignRow,
  findCampaignRowByIdempotencyKey,
  getCampaignRow,
  insertCampaignRow,
  insertCampaignRowBeforeMessages,
  listCampaignRows,
  updateCampaignTotals,
} from './campaign-row';
import { decodeCursor, encodeCursor, InvalidCursorError } from './keyset-cursor';
import { Db, InjectDb, inTransaction } from './db';
import { executeLargeParameterStatement } from './large-parameter-statement';

export interface CampaignPage {
  items: Array<{ cursor: string; campaign: CampaignRecord }>;
  hasNextPage: boolean;
}

export interface NewCampaignRecipients {
  phones: readonly string[];
  countries: readonly string[];
  /** Batch sequence per recipient, -1 for a suppressed one. */
  batchSequences: ArrayLike<number>;
  /** Recipients per batch, indexed by sequence. */
  batchSizes: number[];
  /** Country and send window per batch, indexed by sequence (src/quiet-hours). */
  batchPlacements?: BatchPlacement[];
  /** Personalized campaigns: each batch's text, indexed by sequence (else batches send the campaign's text). */
  batchTexts?: string[];
  /**
   * A list's campaign: each recipient's position in the list. Its batches then hold their recipients'
   * positions and only the suppressed recipients' messages are written now; the others are made from the
   * list's entries when their batch is claimed (src/persistence/list-messages.ts).
   */
  listPositions?: ArrayLike<number>;
}

// Rows per INSERT statement: large enough to amortise the round trip, small enough to keep
// parameters and the sort of one statement modest.
const MESSAGE_ROWS_PER_STATEMENT = 50_000;

export interface NewCampaign {
  accountId: string;
  name?: string | null;
  status: CampaignStatus;
  text: string;
  senderId: string;
  encoding: Encoding;
  segmentsPerMessage: number;
  idempotencyKey?: string | null;
  estimatedCost: Decimal;
  maxCost?: Decimal | null;
  /** The rejections to keep (already truncated and capped), in input order. */
  rejectedRecipients?: RejectedRecipient[];
  /** Every rejection, including those not kept. */
  rejectedCount?: number;
  requestHash?: string | null;
  scheduledAt?: Date | null;
  smartEncoding?: boolean;
  estimatedCostByCountry?: Array<{ country: string; recipients: number; pricePerSegment: string; cost: string }>;
  priority?: number;
  sendWindow?: { start: string; end: string; days: string[] };
  assumedZoneRecipients?: number;
  recipientListId?: string | null;
}

// A campaign whose messages are all final reached the provider with none of them: some failed (the service's
// own submission_* codes), none has a provider outcome, and no batch was accepted (a REJECTED number or a
// provider-reported FAILED comes from an accepted batch). Evaluated only for the campaign being ended.
const NOTHING_SUBMITTED = Prisma.sql`(c.failed > 0 AND c.delivered + c.undelivered + c.unconfirmed + c.rejected = 0
  AND NOT EXISTS (SELECT 1 FROM "Batch" b WHERE b."campaignId" = c.id AND b.state = 'ACCEPTED'))`;

@Injectable()
export class CampaignRepository {
  private embedded?: Promise<boolean>;

  constructor(@InjectDb() private readonly prisma: Db) {}

  /** Whether the database is the embedded PGlite: one backend, one connection's transaction at a time. */
  isEmbeddedDatabase(): Promise<boolean> {
    this.embedded ??= this.prisma.$queryRaw<Array<{ embedded: boolean }>>`SELECT version() LIKE '%PGlite%' AS embedded`
      .then((rows) => rows[0].embedded)
      .catch((error: unknown) => {
        this.embedded = undefined; // asked again next time
        throw error;
      });
    return this.embedded;
  }

  /** Scoped to the account: another account's campaign is simply not found. */
  async findForAccount(accountId: string, id: string): Promise<CampaignRecord | null> {
    if (!isUuid(id)) {
      return null;
    }
    const row = await findCampaignRow(this.prisma, id, accountId);
    return row ? toCampaignRecord(row) : null;
  }

  /** Newest first, keyset-paginated on (createdAt, id); fetches first + 1 to know if more follow. */
  async listForAccount(accountId: string, first: number, after?: string): Promise<CampaignPage> {
    const position = after ? decodeCursor(after) : undefined;
    if (position && (Number.isNaN(Date.parse(position.sortKey)) || !isUuid(position.id))) {
      throw new InvalidCursorError(after!);
    }
    const rows = await listCampaignRows(
      this.prisma,
      accountId,
      first + 1,
      position && { createdAt: new Date(position.sortKey), id: position.id },
    );
    return {
      hasNextPage: rows.length > first,
      items: rows.slice(0, first).map((row) => ({
        cursor: encodeCursor(row.createdAt.toISOString(), row.id),
        campaign: toCampaignRecord(row),
      })),
    };
  }

  /**
   * Ends every listed campaign whose messages are all final (no PENDING, SUBMITTED, QUEUED or SENT left):
   * FAILED when nothing of it reached the provider (every message it tried failed, no batch accepted:
   * the contract's "nothing could be submitted"), with the last batch's error as the reason, else
   * COMPLETED. CANCELLED and FAILED campaigns keep their status. Returns the ids that ended.
   */
  async completeFinished(campaignIds: string[]): Promise<string[]> {
    if (campaignIds.length === 0) {
      return [];
    }
    const rows = await this.prisma.$queryRaw<Array<{ id: string }>>`
      UPDATE "Campaign" c SET
        status = (CASE WHEN ${NOTHING_SUBMITTED} THEN 'FAILED' ELSE 'COMPLETED' END)::"CampaignStatus",
        "statusReason" = CASE WHEN ${NOTHING_SUBMITTED} THEN 'nothing could be submitted: ' || coalesce(
          (SELECT b."lastError" FROM "Batch" b WHERE b."campaignId" = c.id AND b.state = 'FAILED'
           ORDER BY b."updatedAt" DESC LIMIT 1), 'every batch failed') END,
        "completedAt" = now(), "updatedAt" = now()
      WHERE id IN (SELECT id FROM "Campaign" WHERE id = ANY(${campaignIds}::uuid[]) ORDER BY id FOR NO KEY UPDATE)
        AND status IN ('QUEUED', 'SENDING', 'PAUSED')
        AND pending + submitted + queued + sent = 0
      RETURNING id`;
    return rows.map((row) => row.id);
  }

  /**
   * Completes every active campaign whose messages are all final but which is still open a minute
   * after its last change: the follow-up after the commit that settled its last message did not run
   * (the process stopped in between) or failed. Returns the ids that completed.
   */
  async completeAllFinished(): Promise<string[]> {
    const open = await this.prisma.$queryRaw<Array<{ id: string }>>`
      SELECT id FROM "Campaign"
      WHERE status IN ('QUEUED', 'SENDING', 'PAUSED') AND pending + submitted + queued + sent = 0
        AND "updatedAt" < now() - interval '1 minute'`;
    return this.completeFinished(open.map((row) => row.id));
  }

  /**
   * Moves a campaign to `to` if its status is one of `from`; returns the updated campaign, or null
   * when it was in another status (the caller reads it to explain why).
   */
  async transition(
    accountId: string,
    id: string,
    from: CampaignStatus[],
    to: CampaignStatus,
    changes: { statusReason?: string | null; maxCost?: Decimal | null; completedAt?: Date } = {},
  ): Promise<CampaignRecord | null> {
    if (!isUuid(id)) {
      return null;
    }
    const maxCost =
      changes.maxCost === undefined
        ? Prisma.sql`"maxCost"`
        : Prisma.sql`${changes.maxCost?.toFixed(5) ?? null}::numeric`;
    const completedAt = changes.completedAt
      ? Prisma.sql`${changes.completedAt}::timestamptz`
      : Prisma.sql`"completedAt"`;
    const rows = await this.prisma.$queryRaw<CampaignRow[]>`
      UPDATE "Campaign" SET status = ${to}::"CampaignStatus", "statusReason" = ${changes.statusReason ?? null}::text,
        "maxCost" = ${maxCost}, "completedAt" = ${completedAt}, "updatedAt" = now()
      WHERE id = ${id}::uuid AND "accountId" = ${accountId}::uuid AND status::text = ANY(${from}::text[])
      RETURNING *`;
    return rows[0] ? toCampaignRecord(rows[0]) : null;
  }

  /**
   * Cancels the waiting batches of a campaign that is in one of `from` (read, not locked: the caller
   * confirms with `markCancelled` in the same transaction). Batches being submitted or checked are
   * left to finish. Returns how many were cancelled.
   */
  async cancelWaitingBatches(accountId: string, id: string, from: CampaignStatus[]): Promise<number> {
    return this.prisma.$executeRaw`
      UPDATE "Batch" SET state = 'CANCELLED', "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "updatedAt" = now()
      WHERE "campaignId" = ${id}::uuid AND state = 'PENDING'
        AND EXISTS (SELECT 1 FROM "Campaign" c WHERE c.id = ${id}::uuid AND c."accountId" = ${accountId}::uuid
                    AND c.status::text = ANY(${from}::text[]))`;
  }

  /**
   * The waiting messages of the campaign's cancelled batches become CANCELLED (those of a list's batches not
   * made yet are made CANCELLED); returns how many.
   */
  async cancelWaitingMessages(id: string): Promise<number> {
    const { messages: made } = await makeListMessages(
      this.prisma,
      { campaignId: id, batchState: 'CANCELLED' },
      { status: 'CANCELLED' },
    );
    const updated = await this.prisma.$executeRaw(
      updateWaitingMessagesOfBatches(id, 'CANCELLED', Prisma.sql`status = 'CANCELLED', "updatedAt" = now()`),
    );
    return made + updated;
  }

  /** The campaign becomes CANCELLED if it is in one of `from`; returns it, or null. */
  async markCancelled(accountId: string, id: string, from: CampaignStatus[]): Promise<CampaignRecord | null> {
    const rows = await this.prisma.$queryRaw<CampaignRow[]>`
      UPDATE "Campaign" SET status = 'CANCELLED', "completedAt" = now(), "statusReason" = NULL, "updatedAt" = now()
      WHERE id = ${id}::uuid AND "accountId" = ${accountId}::uuid AND status::text = ANY(${from}::text[])
      RETURNING *`;
    return rows[0] ? toCampaignRecord(rows[0]) : null;
  }

  async create(campaign: NewCampaign): Promise<CampaignRecord> {
    const row = await inTransaction(this.prisma, async (tx) => {
      const id = await insertCampaignRow(tx, campaign);
      await insertRejectedRecipients(tx, id, campaign.rejectedRecipients ?? []);
      return getCampaignRow(tx, id);
    });
    return toCampaignRecord(row);
  }

  /** One page of a campaign's stored rejections, in input order (keyed on position: no scan). */
  async listRejectedRecipients(campaignId: string, offset: number, first: number): Promise<RejectedRecipient[]> {
    return this.prisma.$queryRaw<RejectedRecipient[]>`
      SELECT input, reason FROM "RejectedRecipient"
      WHERE "campaignId" = ${campaignId}::uuid AND position >= ${offset}::int AND position < ${offset + first}::int
      ORDER BY position`;
  }

  async findByIdempotencyKey(accountId: string, idempotencyKey: string): Promise<CampaignRecord | null> {
    const row = await findCampaignRowByIdempotencyKey(this.prisma, accountId, idempotencyKey);
    return row ? toCampaignRecord(row) : null;
  }

  /**
   * Stores a campaign with its messages and batches in one transaction, with set-based inserts
   * (no per-row round trip). The batches wait for `firstAttemptAt` (the schedule, or now).
   * A duplicate idempotency key fails as a unique violation (isUniqueViolation).
   */
  async createWithRecipients(
    campaign: NewCampaign,
    recipients: NewCampaignRecipients,
    firstAttemptAt: Date,
    messageRowsPerStatement = MESSAGE_ROWS_PER_STATEMENT,
  ): Promise<CampaignRecord> {
    const created = await inTransaction(
      this.prisma,
      async (tx) => {
        const { id: campaignId, nextMessageId: firstId } = await insertCampaignRowBeforeMessages(tx, campaign);
        await insertRejectedRecipients(tx, campaignId, campaign.rejectedRecipients ?? []);
        // Batch ids are made here so that each message row carries its batch id directly: no join
        // and no sort in the insert, which keeps a million rows cheap.
        const batchIds = recipients.batchSizes.map(() => randomUUID());
        if (recipients.listPositions) {
          // Each recipient written once: the list holds them, and the batches their positions. The list is
          // kept while a batch needs it: its deletion waits for this transaction, then sees the batches.
          await lockListAgainstDeletion(tx, campaign.recipientListId);
          const rows = await listCampaignBatchRows(recipients, recipients.listPositions);
          await insertMessages(tx, campaignId, '', rows.suppressed, messageRowsPerStatement);
          await insertBatches(tx, campaignId, batchIds, recipients, firstAttemptAt, null, rows.batchPositions);
          await countWaitingListRecipients(tx, campaignId, rows.waiting);
          return getCampaignRow(tx, campaignId);
        }
        const firstMessageId = batchIds.length > 0 && recipients.phones.length > 0 ? firstId : null;
        await insertMessages(tx, campaignId, batchIds.join(','), recipients, messageRowsPerStatement);
        // The batches last, when their messages' id range is known: one statement writes each batch whole.
        await insertBatches(tx, campaignId, batchIds, recipients, firstAttemptAt, firstMessageId);
        // Read inside the transaction: the counters the triggers set, and the status before any
        // dispatcher can claim a batch.
        return getCampaignRow(tx, campaignId);
      },
      { timeout: 300_000 },
    );
    return toCampaignRecord(created);
  }

  /**
   * Stores a campaign whose recipients are still arriving (sendBulk validates them on worker threads
   * meanwhile): the campaign row first, then `fill` stores each slice of messages as it is ready, and
   * what only the whole list tells (batches, rejections, the estimate) is stored last. All of it in one
   * transaction: when `fill` throws (no valid recipient, over maxCost), nothing is stored. `fill` reads
   * through `tx` what it must read meanwhile (PGlite serves one connection's transaction at a time).
   */
  async createStreamed(
    campaign: NewCampaign,
    firstAttemptAt: Date,
    fill: (messages: CampaignMessageSink, tx: Db) => Promise<StreamedCampaignEnd>,
  ): Promise<CampaignRecord> {
    const created = await inTransaction(
      this.prisma,
      async (tx) => {
        const campaignId = await insertCampaignRow(tx, campaign);
        let firstMessageId: bigint | null = null;
        let stored = 0;
        const end = await fill(
          {
            add: async (slice, batchIds) => {
              firstMessageId ??= await nextMessageId(tx);
              // Only the ids of the batches this slice's messages join: all of them (20,000 for a million
              // recipients in batches of 50) took each statement ~0.7 MB of ids to send and cast.
              const { from, to } = sequenceRange(slice.batchSequences);
              await insertMessages(
                tx,
                campaignId,
                batchIds.slice(from, to + 1).join(','),
                slice,
                MESSAGE_ROWS_PER_STATEMENT,
                from,
              );
              stored += slice.phones.length;
            },
          },
          tx,
        );
        const { rejectedRecipients, ...rest } = end.campaign;
        await updateCampaignTotals(tx, campaignId, rest);
        await insertRejectedRecipients(tx, campaignId, rejectedRecipients ?? []);
        await insertBatches(tx, campaignId, end.batchIds, end, firstAttemptAt, stored > 0 ? firstMessageId : null);
        return getCampaignRow(tx, campaignId);
      },
      { timeout: 300_000 },
    );
    return toCampaignRecord(created);
  }
}

/** Where createStreamed's `fill` stores messages, a slice at a time, in input order. */
export interface CampaignMessageSink {
  /** `batchIds` holds every batch opened so far, indexed by sequence (the slice's sequences index it). */
  add(
    slice: Pick<NewCampaignRecipients, 'phones' | 'countries' | 'batchSequences'>,
    batchIds: readonly string[],
  ): Promise<void>;
}

/** What createStreamed stores once every message is: the batches, and the campaign's totals. */
export interface StreamedCampaignEnd extends Pick<
  NewCampaignRecipients,
  'batchSizes' | 'batchPlacements' | 'batchTexts'
> {
  /** The ids the messages were stored with, indexed by sequence. */
  batchIds: string[];
  campaign: Pick<
    NewCampaign,
    | 'estimatedCost'
    | 'estimatedCostByCountry'
    | 'maxCost'
    | 'rejectedRecipients'
    | 'rejectedCount'
    | 'assumedZoneRecipients'
  > &
    // Known only once every recipient is, for a campaign that arrives with its list (POST /api/campaigns).
    Partial<Pick<NewCampaign, 'encoding' | 'segmentsPerMessage' | 'requestHash'>>;
}

// $1 the campaign, $2 when they are first due, $3 the first message id (NULL: no message), then per batch in
// sequence order: $4 ids and $5 sizes comma-separated; $6 the distinct texts (a text array) and $13 each batch's
// index into it, comma-separated (both empty when the batches send the campaign's text); and the placements: $7
// countries, $8 window zones, $9 start minutes, $10 end minutes, $11 days and $12 opening times, each
// comma-separated ('' is NULL), or NULL when there are none. unnest pads the shorter arrays with NULLs. The last
// message id is the sequence's value in this session (currval): other campaigns' ids may fall inside the range,
// which only has to hold all of this campaign's, so that a lookup by batch reaches the one partition (or two)
// they are in.
const INSERT_BATCHES_SQL = `
  INSERT INTO "Batch" (id, "campaignId", sequence, "recipientCount", "nextAttemptAt", text, country, "windowZone",
    "windowStartMinute", "windowEndMinute", "windowDays", "windowOpensAt", "messageIdFrom", "messageIdTo",
    "listPositions")
  SELECT t.id::uuid, $1::uuid, t.ord - 1, t.size, $2::timestamptz, ($6::text[])[t.text_index + 1], t.country, t.zone,
    t.start, t."end", t.days, t.opens, $3::bigint,
    CASE WHEN $3::bigint IS NULL THEN NULL ELSE currval('"Message_id_seq"') END,
    coalesce(string_to_array(t.positions, ',')::int[], '{}')
  FROM unnest(string_to_array($4::text, ','), string_to_array($5::text, ',')::int[],
    string_to_array($13::text, ',', '')::int[],
    string_to_array($7::text, ','),
    string_to_array($8::text, ',', ''),
    string_to_array($9::text, ',', '')::int[],
    string_to_array($10::text, ',', '')::int[],
    string_to_array($11::text, ',', '')::int[],
    string_to_array($12::text, ',', '')::timestamptz[],
    string_to_array($14::text, ';'))
    WITH ORDINALITY AS t(id, size, text_index, country, zone, start, "end", days, opens, positions, ord)`;

/**
 * The campaign's batches, written once and whole: with their texts (personalized), their placements and their
 * messages' id range. A million recipients' 20,000 batches took ~120 ms to insert and ~250 ms for each of the
 * two updates that used to place them and record the range. Ids, ISO codes, IANA zone names, numbers and ISO
 * timestamps contain no comma, so those columns travel as joined text; the statement skips Prisma's query
 * compiler (executeLargeParameterStatement), which took ~100 ms of the event loop on a million recipients'
 * batch texts and ~130 ms on the placements as arrays.
 */
async function insertBatches(
  tx: Db,
  campaignId: string,
  batchIds: string[],
  batches: Pick<NewCampaignRecipients, 'batchSizes' | 'batchTexts' | 'batchPlacements'>,
  firstAttemptAt: Date,
  firstMessageId: bigint | null,
  /** A list's campaign: each batch's list positions (listCampaignBatchRows). */
  listPositions: string | null = null,
): Promise<void> {
  if (batchIds.length === 0) {
    return;
  }
  const placements = batches.batchPlacements;
  const texts = distinctBatchTexts(batches.batchTexts);
  const column = (value: (p: BatchPlacement) => string | number | null | undefined): string | null =>
    placements ? placements.map((p) => value(p) ?? '').join(',') : null;
  await executeLargeParameterStatement(tx, {
    sql: INSERT_BATCHES_SQL,
    args: [
      campaignId,
      firstAttemptAt.toISOString(),
      firstMessageId === null ? null : String(firstMessageId),
      batchIds.join(','),
      batches.batchSizes.join(','),
      // Texts may contain anything: they travel as a text array, not a joined string, each distinct text once.
      texts.distinct,
      column((p) => p.country),
      column((p) => p.window?.zone),
      column((p) => p.window?.rule.startMinute),
      column((p) => p.window?.rule.endMinute),
      column((p) => p.window?.rule.days),
      column((p) => p.window?.opensAt?.toISOString()),
      texts.indexes,
      listPositions,
    ],
  });
}

/** A list's campaign as it is stored at acceptance: its batches' list positions, and its suppressed recipients. */
interface ListCampaignRows {
  /** INSERT_BATCHES_SQL's $14: each batch's positions comma-separated, batches separated by ';', by sequence. */
  batchPositions: string;
  /** The suppressed recipients, stored now as SUPPRESSED messages (never sent). */
  suppressed: Pick<NewCampaignRecipients, 'phones' | 'countries' | 'batchSequences'>;
  /** The recipients in batches, whose messages are made later. */
  waiting: number;
}

// The event loop's slice for the passes over a list campaign's recipients (a million positions took ~50 ms to
// sort and ~100 ms to turn into text).
const LIST_ROWS_SLICE_MS = 10;

/**
 * One pass over the recipients sorts each one's list position into its batch (by counting: the batch sizes
 * give each batch's place) or, suppressed, into the messages stored now; a second turns the positions into
 * text. Both yield to the event loop every LIST_ROWS_SLICE_MS.
 */
async function listCampaignBatchRows(
  recipients: Pick<NewCampaignRecipients, 'phones' | 'countries' | 'batchSequences' | 'batchSizes'>,
  positions: ArrayLike<number>,
): Promise<ListCampaignRows> {
  const { batchSequences, batchSizes } = recipients;
  const starts = new Int32Array(batchSizes.length + 1);
  for (let b = 0; b < batchSizes.length; b++) {
    starts[b + 1] = starts[b] + batchSizes[b];
  }
  const next = starts.slice(0, batchSizes.length);
  const sorted = new Int32Array(starts[batchSizes.length]);
  const phones: string[] = [];
  const countries: string[] = [];
  let sliceStart = performance.now();
  for (let i = 0; i < batchSequences.length; i++) {
    if ((i & 0x3fff) === 0 && performance.now() - sliceStart > LIST_ROWS_SLICE_MS) {
      await yieldToIo();
      sliceStart = performance.now();
    }
    const sequence = batchSequences[i];
    if (sequence >= 0) {
      sorted[next[sequence]++] = positions[i];
    } else {
      phones.push(recipients.phones[i]);
      countries.push(recipients.countries[i]);
    }
  }
  const perBatch = new Array<string>(batchSizes.length);
  for (let b = 0; b < batchSizes.length; b++) {
    if (performance.now() - sliceStart > LIST_ROWS_SLICE_MS) {
      await yieldToIo();
      sliceStart = performance.now();
    }
    perBatch[b] = sorted.subarray(starts[b], starts[b + 1]).join(',');
  }
  await yieldToIo();
  return {
    batchPositions: perBatch.join(';'),
    suppressed: { phones, countries, batchSequences: new Int32Array(phones.length).fill(-1) },
    waiting: sorted.length,
  };
}

/** Thrown when the list a campaign is being sent from was deleted (it expired) meanwhile. */
export class RecipientListGoneError extends Error {
  constructor(readonly listId: string) {
    super(`recipient list ${listId} expired while the campaign was being accepted`);
  }
}

async function lockListAgainstDeletion(tx: Db, listId: string | null | undefined): Promise<void> {
  const rows = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT id::text AS id FROM "RecipientList" WHERE id = ${listId ?? null}::uuid FOR SHARE`;
  if (rows.length === 0) {
    throw new RecipientListGoneError(String(listId));
  }
}

/**
 * A list's campaign's counters count its recipients waiting in their batches, as the counters trigger would
 * have counted their messages (makeListMessages takes them back as it makes them).
 */
async function countWaitingListRecipients(tx: Db, campaignId: string, waiting: number): Promise<void> {
  await tx.$executeRaw`
    UPDATE "Campaign" SET total = total + ${waiting}::int, pending = pending + ${waiting}::int WHERE id = ${campaignId}::uuid`;
}

/**
 * Each batch's text as an index into the distinct texts: a list whose template reads no field gives its
 * 20,000 batches one text, which sent whole took the statement 1 MB and its turn of the event loop ~20 ms
 * of escaping and copying. No texts (a campaign's own text): no index, so each batch's text is NULL.
 */
function distinctBatchTexts(batchTexts: readonly string[] | undefined): { distinct: string[]; indexes: string } {
  if (!batchTexts) {
    return { distinct: [], indexes: '' };
  }
  const indexOf = new Map<string, number>();
  const indexes = new Array<number>(batchTexts.length);
  for (let i = 0; i < batchTexts.length; i++) {
    let index = indexOf.get(batchTexts[i]);
    if (index === undefined) {
      index = indexOf.size;
      indexOf.set(batchTexts[i], index);
    }
    indexes[i] = index;
  }
  return { distinct: [...indexOf.keys()], indexes: indexes.join(',') };
}

// $1 the campaign, $2 its batch ids (comma-separated, indexed by sequence), then one comma-separated
// text per column: numbers, countries and batch sequences (empty: suppressed, stored but never sent).
const INSERT_MESSAGES_SQL = `
  INSERT INTO "Message" ("campaignId", "batchId", "to", country, status)
  SELECT $1::uuid, b.ids[t.sequence + 1], t.phone, t.country,
         (CASE WHEN t.sequence IS NULL THEN 'SUPPRESSED' ELSE 'PENDING' END)::"MessageStatus"
  FROM (SELECT string_to_array($2::text, ',')::uuid[] AS ids) AS b,
    unnest(
      string_to_array($3::text, ','),
      string_to_array($4::text, ','),
      -- string_to_array('') is empty, so one suppressed recipient alone arrives as NULL too
      string_to_array($5::text, ',', '')::int[]
    ) AS t(phone, country, sequence)`;

/**
 * The messages of `recipients`, `rowsPerStatement` to a statement. Each row carries its batch's sequence, an
 * index into the batch ids sent once per statement: a UUID per row made the parameters three times larger.
 * The statements skip Prisma's query compiler (executeLargeParameterStatement), which took their parameters
 * through JSON and WebAssembly on the event loop (~45 ms per 50,000 rows, more with the garbage it left).
 * Building the next statement's parameters while PostgreSQL runs one took ~2 % off a million recipients'
 * acceptance and made the event loop's longest turns no shorter (its CPU then competes with the database's
 * and the validation workers' on two cores): they follow each other.
 */
async function insertMessages(
  tx: Db,
  campaignId: string,
  batchIdList: string,
  recipients: Pick<NewCampaignRecipients, 'phones' | 'countries' | 'batchSequences'>,
  rowsPerStatement: number,
  /** The sequence of the first id in `batchIdList`. */
  firstSequence = 0,
): Promise<void> {
  for (let start = 0; start < recipients.phones.length; start += rowsPerStatement) {
    const end = Math.min(start + rowsPerStatement, recipients.phones.length);
    const [phones, countries, sequences] = await messageColumns(recipients, start, end, firstSequence);
    await executeLargeParameterStatement(tx, {
      sql: INSERT_MESSAGES_SQL,
      args: [campaignId, batchIdList, phones, countries, sequences],
    });
  }
}

/**
 * Messages `start` to `end` as INSERT_MESSAGES_SQL's columns. E.164 numbers, ISO codes and sequences contain
 * no comma: one text parameter per column is far cheaper to send than an array of 50,000 values. An empty
 * sequence (suppressed) is NULL. Each column is built in a turn of the event loop of its own (~15-30 ms each
 * for 50,000 rows), and the statement is sent in the next.
 */
async function messageColumns(
  recipients: Pick<NewCampaignRecipients, 'phones' | 'countries' | 'batchSequences'>,
  start: number,
  end: number,
  firstSequence: number,
): Promise<[string, string, string]> {
  await yieldToIo();
  const phones = recipients.phones.slice(start, end).join(',');
  await yieldToIo();
  const countries = recipients.countries.slice(start, end).join(',');
  await yieldToIo();
  const sequences = new Array<string>(end - start);
  for (let i = start; i < end; i++) {
    const sequence = recipients.batchSequences[i];
    sequences[i - start] = sequence < 0 ? '' : String(sequence - firstSequence);
  }
  const sequenceList = sequences.join(',');
  await yieldToIo();
  return [phones, countries, sequenceList];
}

/** The lowest and highest batch sequence among `sequences` (-1, suppressed, aside); from > to when none. */
function sequenceRange(sequences: ArrayLike<number>): { from: number; to: number } {
  let from = Number.MAX_SAFE_INTEGER;
  let to = -1;
  for (let i = 0; i < sequences.length; i++) {
    const sequence = sequences[i];
    if (sequence >= 0) {
      from = Math.min(from, sequence);
      to = Math.max(to, sequence);
    }
  }
  return to < 0 ? { from: 0, to: -1 } : { from, to };
}

/**
 * The lowest id the campaign's messages can get: above every id handed out so far. Ids come from one
 * sequence (cache 1), so whatever this transaction inserts next gets ids above it, whoever else inserts.
 */
async function nextMessageId(tx: Db): Promise<bigint> {
  const [row] = await tx.$queryRaw<Array<{ next: bigint }>>`
    SELECT (CASE WHEN is_called THEN last_value + 1 ELSE last_value END)::bigint AS next FROM "Message_id_seq"`;
  return row.next;
}

// One statement for all of them: inputs may contain commas, so they travel as text arrays.
async function insertRejectedRecipients(
  tx: Db,
  campaignId: string,
  rejected: readonly RejectedRecipient[],
): Promise<void> {
  if (rejected.length === 0) {
    return;
  }
  // Up to 10,000 of them (REJECTED_RECIPIENTS_KEPT): past Prisma's query compiler, as the messages are.
  await executeLargeParameterStatement(tx, {
    sql: `
      INSERT INTO "RejectedRecipient" ("campaignId", position, input, reason)
      SELECT $1::uuid, t.ord - 1, t.input, t.reason
      FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS t(input, reason, ord)`,
    args: [campaignId, rejected.map((r) => r.input), rejected.map((r) => r.reason)],
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function toCampaignRecord(row: CampaignRow): CampaignRecord {
  return {
    ...row,
    status: row.status as CampaignStatus,
    encoding: row.encoding as Encoding,
    estimatedCost: new Decimal(row.estimatedCost.toString()),
    maxCost: row.maxCost === null ? null : new Decimal(row.maxCost.toString()),
    actualCost: new Decimal(row.actualCost.toString()),
  };
}
