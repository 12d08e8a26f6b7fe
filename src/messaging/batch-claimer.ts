import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.service';
import { ClaimableBatch, DispatchRepository, DueBatch, PacingRow } from '../persistence/dispatch.repository';
import { Transactor, UnitOfWork } from '../persistence/transactor';
import { WindowClock } from '../quiet-hours/window-clock';
import { closedWindowOpensAt } from '../quiet-hours/window-gate';
import { overBudgetReason } from './budget-rule';
import { nextTurn } from './fair-share';
import { LaneState, PacingState, reserveLanes, turnAdvanceMs } from './pacing';
import { PacingKey, PacingPlan } from './pacing-plan';

/** A batch marked SUBMITTING, with the recipients to send it to. */
export type ClaimedBatch = ClaimableBatch<DueBatch>;

export type Claim =
  | { kind: 'submit'; batches: ClaimedBatch[]; pacingKeys: PacingKey[] }
  | { kind: 'reconcile'; batch: DueBatch }
  | { kind: 'paused'; campaignId: string; reason: string }
  | { kind: 'wait'; untilMs: number }
  | { kind: 'idle' };

// When every request slot is taken, look again this soon.
const IN_FLIGHT_RECHECK_MS = 20;
// One claim takes more small batches (under the lane's full batch size: personalized texts, a campaign's
// last batch) of its campaign while they add up to at most this much of the lane's MPS: one claim per
// small batch would need more claims a second than transactions serialized on the pacing row can make.
// Full batches are claimed one at a time, as before.
const GROUP_SECONDS = 1;
// And at most this many batches per claim: the claim is one transaction that pause, cancel and the
// other instances' claims wait behind (on the embedded PGlite, every statement does), so it stays short.
const MAX_GROUPED_BATCHES = 16;
// Campaigns whose own lane (a sender's PLIVO_SENDER_MPS, an account's MPS cap) is full that one claim
// passes over for the next campaign's batch, before it waits; short for the same reason.
const MAX_PASSED_OVER = 4;

/** The campaign's own lane is full (not the account's): the claim passes over it to the next campaign. */
interface PassOver {
  kind: 'pass';
  retryAtMs: number;
}

/**
 * The dispatcher's rules for what to do next, decided in one transaction that all instances share
 * through PostgreSQL (when a first statement finds nothing due, no transaction at all):
 * 1. the account's pacing row is locked first, so claims queue behind each other and the fair-share
 *    order holds across workers and instances;
 * 2. the next batch is locked (`SKIP LOCKED`), of the campaign whose turn comes first, due first;
 *    one that may be at the provider is reconciled, never resent;
 * 3. a batch whose send window closed waits for it to open again (quiet hours); a campaign over
 *    its budget pauses; a full set of requests in flight, or the account's lane whose queue at
 *    the provider already holds DISPATCH_LEAD_SECONDS of its MPS, means wait; a campaign whose own
 *    lane is that full (its sender's MPS, its account's cap) is passed over, keeping its turn, for
 *    the next campaign's batch (it cannot use its turn; waiting for it would hold every campaign to
 *    its lane's pace): when its lane has room its turn comes first, and it starts from the virtual time;
 * 4. otherwise the pacing is reserved, the batch marked SUBMITTING (durable first) and the
 *    campaign's turn moved on (fair-share.ts, nextTurn: from its own turn, not the clock, so priorities
 *    hold when the rate limit spaces the claims); the request is sent after the commit;
 * 5. while the small batches claimed add up to less than GROUP_SECONDS of the lane's MPS, the
 *    campaign's next small waiting batches are claimed in the same transaction (read and locked
 *    together: a claim is a handful of statements however many it groups), each within the
 *    pacing, the API tokens and the requests in flight, as if claimed one after the other.
 */
@Injectable()
export class BatchClaimer {
  constructor(
    private readonly transactor: Transactor,
    private readonly dispatch: DispatchRepository,
    private readonly pacing: PacingPlan,
    private readonly config: AppConfig,
    private readonly windowClock: WindowClock = new WindowClock(),
  ) {}

  /**
   * `options.reconcile` false: only waiting batches are claimed, no batch to check (the instance's workers
   * that may check batches are all checking).
   */
  async claimNext(owner: string, options: { reconcile: boolean } = { reconcile: true }): Promise<Claim> {
    const waitingOnly = !options.reconcile;
    // Most polls of an idle instance find nothing: they ask first, without the transaction.
    if (!(await this.dispatch.hasDue(this.windowClock.now(), waitingOnly))) {
      return { kind: 'idle' };
    }
    return this.transactor.run(async (tx) => {
      const [account] = await tx.dispatch.lockPacing([{ key: this.pacing.accountKey, initialTokens: 0 }]);
      const windowNow = this.windowClock.now();
      const waitUntil = (retryAtMs: number) => Date.now() + (retryAtMs - account.now.getTime());
      const passedOver: string[] = [];
      let laneRoomAtMs = Infinity;
      for (;;) {
        const batch = await tx.dispatch.lockNextDue(windowNow, { waitingOnly, exceptCampaignIds: [...passedOver] });
        if (!batch) {
          // What was due is being claimed by another transaction (SKIP LOCKED): look again after a poll
          // (sooner if a lane passed over has room by then).
          return { kind: 'wait', untilMs: Math.min(Date.now() + this.config.dispatch.pollMs, waitUntil(laneRoomAtMs)) };
        }
        const claim = await this.claimBatch(tx, account, batch, windowNow, owner);
        if (claim.kind !== 'pass') {
          return claim;
        }
        laneRoomAtMs = Math.min(laneRoomAtMs, claim.retryAtMs);
        passedOver.push(batch.campaignId);
        if (passedOver.length >= MAX_PASSED_OVER) {
          return { kind: 'wait', untilMs: waitUntil(laneRoomAtMs) };
        }
      }
    });
  }

  /** What to do with the batch locked next: see the class's comment. */
  private async claimBatch(
    tx: UnitOfWork,
    account: PacingRow,
    batch: DueBatch,
    windowNow: Date,
    owner: string,
  ): Promise<Claim | PassOver> {
    const { leaseMs, apiConcurrency } = this.config.dispatch;
    if (batch.state !== 'PENDING') {
      await tx.dispatch.markReconciling(batch.id, owner, leaseMs);
      return { kind: 'reconcile', batch };
    }
    const windowOpensAt = closedWindowOpensAt(batch, windowNow.getTime());
    if (windowOpensAt !== null) {
      await tx.dispatch.deferToWindow(batch.id, new Date(windowOpensAt));
      return { kind: 'wait', untilMs: Date.now() };
    }
    const overBudget =
      batch.maxCost === null
        ? null
        : overBudgetReason(batch, await tx.dispatch.uncostedMix(batch.campaignId, batch.uncosted - batch.waiting));
    if (overBudget) {
      await tx.dispatch.pauseSending(batch.campaignId, overBudget);
      return { kind: 'paused', campaignId: batch.campaignId, reason: overBudget };
    }
    const inFlight = await tx.dispatch.countInFlight();
    if (inFlight >= apiConcurrency) {
      return { kind: 'wait', untilMs: Date.now() + IN_FLIGHT_RECHECK_MS };
    }
    // The batch as claimed: with its messages' id range if the claim made them (a list's batch).
    const { batch: claimedBatch, recipients } = (await tx.dispatch.claimableRecipients([batch], batch.accountId)).get(
      batch.id,
    )!;
    if (recipients.length === 0) {
      await tx.dispatch.markDrained(batch.id);
      // Its last messages may have been suppressed just now.
      await tx.campaigns.completeFinished([batch.campaignId]);
      return { kind: 'wait', untilMs: Date.now() };
    }

    // The account's own MPS cap, read with the batch, is one more lane (a change applies at the next claim).
    const cap = { accountId: batch.accountId, mps: batch.accountMps ?? null };
    const pacingKeys = this.pacing.keysFor(batch.senderId, cap);
    const senderKeys = pacingKeys.filter((k) => k.key !== account.key);
    const rows = [
      account,
      ...(senderKeys.length > 0
        ? await tx.dispatch.lockPacing(senderKeys.map((k) => ({ key: k.key, initialTokens: 0 })))
        : []),
    ];
    let lanes: LaneState[] = pacingKeys.map(({ key, limits }) => {
      const row = rows.find((r) => r.key === key)!;
      return {
        key,
        limits,
        state: {
          queueDrainsAtMs: row.queueDrainsAt.getTime(),
          apiTokens: row.apiTokens,
          apiTokensAtMs: row.apiTokensAt.getTime(),
        },
      };
    });
    const dbNow = account.now.getTime();
    const laneMps = this.pacing.laneMps(batch.senderId, cap);
    const fullBatch = this.pacing.batchSizeFor(batch.senderId, cap);
    const small = (count: number) => count < fullBatch;
    // A small batch is claimed once a group of them fits (see groupToWaitFor), not as soon as it does.
    const wanted = small(recipients.length) ? groupToWaitFor(recipients.length, laneMps, fullBatch) : recipients.length;
    const forGroup = reserveLanes(lanes, wanted, dbNow);
    const reservation =
      forGroup.granted && wanted !== recipients.length ? reserveLanes(lanes, recipients.length, dbNow) : forGroup;
    if (!reservation.granted) {
      const accountLane = lanes.filter((lane) => lane.key === account.key);
      if (reserveLanes(accountLane, wanted, dbNow).granted) {
        return { kind: 'pass', retryAtMs: reservation.retryAtMs };
      }
      return { kind: 'wait', untilMs: Date.now() + (reservation.retryAtMs - dbNow) };
    }
    lanes = withStates(lanes, reservation.next);
    const claimed: ClaimedBatch[] = [{ batch: claimedBatch, recipients }];
    let messages = recipients.length;
    const room = Math.min(MAX_GROUPED_BATCHES, apiConcurrency - inFlight) - 1;
    if (small(recipients.length) && messages < laneMps * GROUP_SECONDS && room > 0) {
      // The campaign's next waiting batches, and their recipients, in two statements; taken in order
      // while each fits, as if claimed one after the other. Those left stay waiting.
      const next = await tx.dispatch.lockNextOfCampaign(windowNow, batch.campaignId, [batch.id], room);
      const more = await tx.dispatch.claimableRecipients(next, batch.accountId);
      for (const candidate of next) {
        const its = more.get(candidate.id)!;
        // A batch whose window closed, or with nothing left to send, is left to the next claim, which settles it.
        if (closedWindowOpensAt(candidate, windowNow.getTime()) !== null || its.recipients.length === 0) {
          break;
        }
        if (!small(its.recipients.length) || messages + its.recipients.length > laneMps * GROUP_SECONDS) {
          break;
        }
        const nextReservation = reserveLanes(lanes, its.recipients.length, dbNow);
        if (!nextReservation.granted) {
          break;
        }
        lanes = withStates(lanes, nextReservation.next);
        claimed.push(its);
        messages += its.recipients.length;
      }
    }

    // The campaign's turn moves on from its own turn, or from the virtual time it fell behind; the
    // virtual time, kept on the account's row this transaction holds, becomes where the claim started.
    const turn = nextTurn(
      {
        turnAtMs: batch.campaignTurnAt?.getTime() ?? null,
        virtualTurnAtMs: account.virtualTurnAt?.getTime() ?? null,
        nowMs: dbNow,
      },
      turnAdvanceMs(messages, laneMps, batch.campaignPriority),
    );
    await tx.dispatch.reservePacing(
      lanes.map(({ key, state }) => ({
        key,
        queueDrainsAt: new Date(state.queueDrainsAtMs),
        apiTokens: state.apiTokens,
        apiTokensAt: new Date(state.apiTokensAtMs),
        ...(key === account.key ? { virtualTurnAt: new Date(turn.startMs) } : {}),
      })),
    );
    await tx.dispatch.markSubmitting(
      claimed.map((c) => c.batch.id),
      owner,
      leaseMs,
    );
    await tx.dispatch.takeTurn(batch.campaignId, new Date(turn.turnAtMs));
    return {
      kind: 'submit',
      batches: claimed.map((c) => ({
        batch: { ...c.batch, attempts: c.batch.attempts + 1 },
        recipients: c.recipients,
      })),
      pacingKeys,
    };
  }
}

/**
 * How many messages a lane must have room for before a small batch is claimed: as many as one
 * claim groups (GROUP_SECONDS of MPS, MAX_GROUPED_BATCHES batches of this size), but at most half
 * a full batch (which is at most what the lane holds, its MPS x lead), so the provider's queue
 * does not run dry while the next group is claimed. Claiming each time one message fits would
 * make a paced campaign of one-number batches one transaction per message, which the embedded
 * PGlite, where a transaction holds the whole database, cannot keep up with.
 */
export function groupToWaitFor(batchMessages: number, laneMps: number, fullBatch: number): number {
  const group = Math.min(laneMps * GROUP_SECONDS, batchMessages * MAX_GROUPED_BATCHES, Math.floor(fullBatch / 2));
  return Math.max(batchMessages, group);
}

function withStates(lanes: LaneState[], next: Array<{ key: string; state: PacingState }>): LaneState[] {
  return lanes.map((lane) => ({ ...lane, state: next.find((n) => n.key === lane.key)!.state }));
}
