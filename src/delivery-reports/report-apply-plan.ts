import { MESSAGE_STATUS_RANK } from '../domain/message-status-order';
import { MessageStatus } from '../domain/message-status.enum';
import type {
  ApplyItem,
  ApplyPlan,
  ApplyUpdate,
  ClaimedReport,
  NewDeliveryReport,
} from '../persistence/delivery-report.repository';
import { MappedPlivoStatus, isOptOutErrorCode, mapPlivoStatus } from '../sms-gateway/plivo-status.mapper';
import { parsePlivoCallbackTime } from './plivo-callback';

export interface ReportApplyPlan extends ApplyPlan {
  /** Reports whose status we do not know (e.g. WhatsApp `read`): marked applied, never guessed. */
  unknownStatus: ClaimedReport[];
  /** Reports older than the retry cap: marked applied whether they match or not. */
  givenUp: ClaimedReport[];
}

/** Which of two reports for the same message wins: higher rank, then higher Sequence, then later arrival. */
export function isBetterReport(a: ApplyCandidate, b: ApplyCandidate): boolean {
  if (a.item.rank !== b.item.rank) {
    return a.item.rank > b.item.rank;
  }
  const seqA = a.item.sequence ?? -1;
  const seqB = b.item.sequence ?? -1;
  if (seqA !== seqB) {
    return seqA > seqB;
  }
  return BigInt(a.reportId) > BigInt(b.reportId);
}

interface ApplyCandidate {
  reportId: string;
  item: ApplyItem;
}

/** What a report carries that an apply needs (a claimed row, or a report on its way in). */
export type ReportApplyFields = Pick<
  ClaimedReport,
  | 'messageUuid'
  | 'batchId'
  | 'to'
  | 'status'
  | 'sequence'
  | 'errorCode'
  | 'units'
  | 'totalAmount'
  | 'sentTime'
  | 'deliveryReportTime'
>;

/** The message update one report asks for; null when its status is not one we know (never guessed). */
export function applyItemOf(report: ReportApplyFields): ApplyItem | null {
  const mapped = mapPlivoStatus(report.status, report.errorCode);
  return mapped === null ? null : applyItemFor(report, mapped, report.sentTime, report.deliveryReportTime);
}

/** Why a number lands on the account's suppression list when its report says STOP. */
export const OPT_OUT_SUPPRESSION_REASON = 'opt-out: STOP from recipient (Plivo error 200)';

/** The update a report on its way in asks for, with whether it says the recipient opted out. */
export function applyUpdateOf(report: NewDeliveryReport): ApplyUpdate | null {
  const mapped = mapPlivoStatus(report.status, report.errorCode);
  if (mapped === null) {
    return null;
  }
  // Once per webhook request: no spread of the report and its payload (that cost 5 µs a report).
  const item = applyItemFor(
    report,
    mapped,
    callbackTimeField(report.payload.SentTime),
    callbackTimeField(report.payload.DeliveryReportTime),
  );
  return Object.assign(item, { optOut: isOptOutErrorCode(item.errorCode) });
}

function callbackTimeField(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The fields of a report (claimed, or on its way in) that its message update copies. */
type ReportItemFields = Pick<
  ReportApplyFields,
  'messageUuid' | 'batchId' | 'to' | 'sequence' | 'units' | 'totalAmount'
>;

function applyItemFor(
  report: ReportItemFields,
  mapped: MappedPlivoStatus,
  sentTime: string | null,
  deliveryReportTime: string | null,
): ApplyItem {
  const status = mapped.status as MessageStatus;
  return {
    messageUuid: report.messageUuid,
    batchId: report.batchId,
    to: report.to,
    status,
    rank: MESSAGE_STATUS_RANK[status],
    sequence: report.sequence,
    errorCode: mapped.errorCode,
    units: report.units,
    amount: report.totalAmount,
    sentAt: parsePlivoCallbackTime(sentTime),
    deliveredAt: parsePlivoCallbackTime(deliveryReportTime),
  };
}

/**
 * Plans one apply pass: maps statuses, keeps the winning report per message UUID (the SQL then
 * applies it only if it moves the message forward), and lists every report for marking.
 */
export function planReportApply(claimed: readonly ClaimedReport[], now: Date, maxRetryAgeMs: number): ReportApplyPlan {
  const winners = new Map<string, ApplyCandidate>();
  const plan: ReportApplyPlan = { updates: [], reports: [], unknownStatus: [], givenUp: [] };
  for (const report of claimed) {
    const mapped = mapPlivoStatus(report.status, report.errorCode);
    const expired = now.getTime() - report.receivedAt.getTime() > maxRetryAgeMs;
    if (mapped === null) {
      plan.unknownStatus.push(report);
    } else if (expired) {
      plan.givenUp.push(report);
    }
    plan.reports.push({ id: report.id, messageUuid: report.messageUuid, force: mapped === null || expired });
    if (mapped === null) {
      continue;
    }
    const candidate: ApplyCandidate = {
      reportId: report.id,
      item: applyItemFor(report, mapped, report.sentTime, report.deliveryReportTime),
    };
    const current = winners.get(report.messageUuid);
    if (!current || isBetterReport(candidate, current)) {
      // The batch id of any report for the UUID helps matching; keep one if the winner lacks it.
      if (current && !candidate.item.batchId) {
        candidate.item.batchId = current.item.batchId;
        candidate.item.to ??= current.item.to;
      }
      winners.set(report.messageUuid, candidate);
    } else if (!current.item.batchId && candidate.item.batchId) {
      current.item.batchId = candidate.item.batchId;
      current.item.to ??= candidate.item.to;
    }
  }
  plan.updates = [...winners.values()].map((candidate) => candidate.item);
  return plan;
}
