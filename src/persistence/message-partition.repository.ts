import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service';

const FINISHED = ['COMPLETED', 'CANCELLED', 'FAILED'];
// Partition names come from the catalogue and are put into SQL as identifiers: only this shape.
const PARTITION_NAME = /^Message_\d+$/;
// Detaching locks "Message" itself: give up quickly rather than queue every message statement behind it.
const LOCK_TIMEOUT = '2s';

/** A range partition of "Message": ids from `lowerBound` (null: no lower bound) up to `upperBound`. */
export interface MessagePartition {
  name: string;
  lowerBound: string | null;
  upperBound: string;
}

/** The partitions of "Message" (RANGE on id; see the message_partitions migration). */
@Injectable()
export class MessagePartitionRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Creates partitions of `size` ids until `ahead` of them start above the ids handed out; their names. */
  async ensureAhead(size: number, ahead: number): Promise<string[]> {
    const [row] = await this.prisma.$queryRaw<Array<{ created: string[] }>>`
      SELECT "message_partitions_ensure"(${size}::bigint, ${ahead}::int) AS created`;
    return row.created;
  }

  /** Every range partition (not the default one), lowest ids first. */
  async list(): Promise<MessagePartition[]> {
    return this.prisma.$queryRaw<MessagePartition[]>`
      SELECT name, substring(bound FROM 'FROM \\(''?(-?[0-9]+)''?\\)') AS "lowerBound",
        substring(bound FROM 'TO \\(''?(-?[0-9]+)''?\\)') AS "upperBound"
      FROM (
        SELECT c.relname::text AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = '"Message"'::regclass
      ) p
      WHERE bound <> 'DEFAULT'
      ORDER BY substring(bound FROM 'TO \\(''?(-?[0-9]+)''?\\)')::bigint`;
  }

  /**
   * Whether no new message can land in the partition (every id below its upper bound is handed out)
   * and every campaign with messages in it finished before `cutoff`; with its highest id.
   */
  async retirable(partition: MessagePartition, cutoff: Date): Promise<{ retirable: boolean; maxId: string | null }> {
    const name = checkedName(partition.name);
    const [row] = await this.prisma.$queryRawUnsafe<Array<{ retirable: boolean; maxId: string | null }>>(
      `SELECT
         $1::bigint <= (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM "Message_id_seq") + 1
         AND NOT EXISTS (
           SELECT 1 FROM (SELECT DISTINCT "campaignId" FROM "${name}") d JOIN "Campaign" c ON c.id = d."campaignId"
           WHERE NOT (c.status::text = ANY($2::text[]) AND c."completedAt" < $3::timestamptz)) AS retirable,
         (SELECT max(id) FROM "${name}")::text AS "maxId"`,
      partition.upperBound,
      FINISHED,
      cutoff,
    );
    return row;
  }

  /**
   * Detaches the partition (and drops it unless `keepDetached`) in one short transaction, if its
   * highest id is still `maxId` (a message inserted since the check would be the new highest: a
   * message taken out of order below it would belong to a campaign that finished before the cutoff).
   * False if it changed. Fails on a lock wait over LOCK_TIMEOUT (the next pass tries again).
   */
  async retire(partition: MessagePartition, maxId: string | null, keepDetached: boolean): Promise<boolean> {
    const name = checkedName(partition.name);
    const retired = await this.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
      // Parent first, as every statement on "Message" locks it: no lock cycle with them.
      await tx.$executeRawUnsafe(`LOCK TABLE ONLY "Message" IN ACCESS EXCLUSIVE MODE`);
      await tx.$executeRawUnsafe(`LOCK TABLE "${name}" IN ACCESS EXCLUSIVE MODE`);
      const [row] = await tx.$queryRawUnsafe<Array<{ unchanged: boolean }>>(
        `SELECT (SELECT max(id) FROM "${name}") IS NOT DISTINCT FROM $1::bigint AS unchanged`,
        maxId,
      );
      if (!row.unchanged) {
        return false;
      }
      await tx.$executeRawUnsafe(`ALTER TABLE "Message" DETACH PARTITION "${name}"`);
      if (!keepDetached) {
        await tx.$executeRawUnsafe(`DROP TABLE "${name}"`);
      }
      return true;
    });
    if (retired) {
      // After the detach, not inside it (a scan of the lookup table must not hold "Message" locked). A
      // row left behind by a crash here points at no message: a report finds nothing through it.
      await this.prisma.$executeRaw`
        DELETE FROM "ProviderMessage"
        WHERE "messageId" < ${partition.upperBound}::bigint
          AND (${partition.lowerBound}::bigint IS NULL OR "messageId" >= ${partition.lowerBound}::bigint)`;
    }
    return retired;
  }
}

function checkedName(name: string): string {
  if (!PARTITION_NAME.test(name)) {
    throw new Error(`Not a Message partition name: ${name}`);
  }
  return name;
}
