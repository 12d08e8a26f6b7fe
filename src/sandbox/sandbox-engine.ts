import { randomUUID } from 'node:crypto';
import { SandboxAccount } from './sandbox-accounts';
import { CallbackJob, SandboxCallbackDispatcher } from './sandbox-callbacks';
import { ParsedMessageRequest } from './sandbox-message-request';
import { callbackParams, SandboxBatch, SandboxMessage, SandboxMessageStatus, toMicro } from './sandbox-message';
import { SandboxInbound } from './sandbox-inbound';
import { SandboxMpsQueue } from './sandbox-mps-queue';
import { JournalState, SandboxJournal } from './sandbox-journal';
import { GEO_BARRED_CODE, INSUFFICIENT_CREDIT_CODE, MESSAGE_EXPIRED_CODE, planOutcome } from './sandbox-outcomes';
import { countryByIso } from './sandbox-prices';
import { randomFor } from './sandbox-random';
import { SandboxRecords, SandboxSubmission } from './sandbox-records';
import { SandboxScheduler } from './sandbox-scheduler';
import { ForcedOutcome, SandboxOptions } from './sandbox.options';

// Plivo's "destination has opted out" (STOP at the carrier or Plivo).
const CARRIER_OPT_OUT_CODE = '200';
// After running out of credit, Plivo refuses send requests for 2 minutes (plivo.md A3).
const CREDIT_BLOCK_MS = 120_000;

export interface EngineStats {
  messages: Record<SandboxMessageStatus, number>;
  expired: number;
  callbacks: { generated: number; lost: number; duplicated: number; reordered: number; withoutUrl: number };
  balanceUsd: number | null;
}

/** The life of accepted messages: MPS queue, outcomes, charging and the callbacks they produce. */
export class SandboxEngine {
  private readonly statusCounts: Record<SandboxMessageStatus, number> = {
    queued: 0,
    sent: 0,
    delivered: 0,
    undelivered: 0,
    failed: 0,
    rejected: 0,
  };
  private readonly callbackCounts = { generated: 0, lost: 0, duplicated: 0, reordered: 0, withoutUrl: 0 };
  private expired = 0;
  private balanceMicro: number | null;
  private creditBlockedUntil = 0;
  private readonly held = new Map<SandboxMessage, CallbackJob[]>();
  private restoredPending: Array<{ message: SandboxMessage; sendAt: number | null }> = [];
  /** Restored messages whose last callback had not been answered: sent again on resumeRestored(). */
  private restoredUnanswered: SandboxMessage[] = [];

  constructor(
    private readonly options: () => SandboxOptions,
    private readonly records: SandboxRecords,
    private readonly scheduler: SandboxScheduler,
    private readonly dispatcher: SandboxCallbackDispatcher,
    private readonly mps: SandboxMpsQueue,
    private readonly inbound: SandboxInbound,
    private readonly journal: SandboxJournal | null = null,
  ) {
    this.balanceMicro = toBalance(options().creditUsd);
  }

  setCredit(creditUsd: number | null): void {
    this.balanceMicro = toBalance(creditUsd);
    this.creditBlockedUntil = 0;
  }

  /** True while send requests must get "Insufficient Credit". */
  creditExhausted(now: number): boolean {
    return now < this.creditBlockedUntil || (this.balanceMicro !== null && this.balanceMicro <= 0);
  }

  /** Records an accepted request and starts its messages; callbacks begin after the caller answers. */
  accept(request: ParsedMessageRequest, apiId: string, now: number, account: SandboxAccount): SandboxSubmission {
    const options = this.options();
    const batch: SandboxBatch = {
      index: this.records.submissions.length,
      apiId,
      authId: account.authId,
      subaccountToken: account.isSubaccount ? account.authToken : undefined,
      src: request.src,
      text: request.text,
      units: request.units,
      url: request.url,
      method: request.method,
      expiryMs: request.messageExpiry * 1000 * options.timeScale,
    };
    const noReceipt = new Set(options.noReceiptCountries);
    const messages: SandboxMessage[] = [];
    const sendAts: Array<number | null> = [];
    // Scheduled before any send of this batch, so every `queued` callback is generated first.
    this.scheduler.at(now, (list: SandboxMessage[]) => list.forEach((m) => this.emit(m, now)), messages);
    for (const recipient of request.recipients) {
      const nth = this.records.timesSubmitted(recipient.number);
      const random = randomFor(options.seed, recipient.number, nth);
      const forced = options.outcomeByNumber[`+${recipient.number}`] ?? options.outcomeByNumber[recipient.number];
      const message: SandboxMessage = {
        uuid: randomUUID(),
        to: recipient.number,
        batch,
        country: recipient.country,
        network: recipient.country.networks[Math.floor(random() * recipient.country.networks.length)],
        rateMicro: toMicro(recipient.country.rate),
        plan: planOutcome(random, options.outcomes, forced ?? countryForced(options, recipient.country.iso, random)),
        status: 'queued',
        errorCode: null,
        charged: false,
        queuedAt: now,
        sentAt: null,
        finalAt: null,
        sequence: 0,
        lane: 'account',
        reorder: options.callbackReorderRate > 0 && random() < options.callbackReorderRate,
        noReceipt: noReceipt.has(recipient.country.iso),
        nth,
      };
      messages.push(message);
      this.statusCounts.queued++;
      const reservation = this.mps.reserve(request.senderType, now, options, batch.expiryMs);
      message.lane = reservation.lane;
      sendAts.push(reservation.sendAt);
      if (reservation.sendAt === null) {
        this.scheduler.at(now + batch.expiryMs, (m: SandboxMessage, due: number) => this.expire(m, due), message);
      } else {
        this.scheduler.at(reservation.sendAt, (m: SandboxMessage, due: number) => this.send(m, due), message);
      }
    }
    const submission = submissionOf(batch, now, request.invalidNumbers, messages);
    this.journal?.batch(batch, now, request.invalidNumbers, messages, sendAts);
    this.records.add(submission, messages);
    return submission;
  }

  /**
   * Takes over a journal's messages after a restart: final ones as they ended, the others waiting for
   * resumeRestored(). Their records answer at once (lookups, lists, overdue polls).
   */
  restore(state: JournalState): void {
    for (const entry of state.batches) {
      const { kind: _kind, at: _at, invalidNumbers: _invalid, messages: _messages, ...fields } = entry;
      const batch: SandboxBatch = { ...fields, index: this.records.submissions.length };
      const messages: SandboxMessage[] = [];
      for (const m of entry.messages) {
        const country = countryByIso(m.iso);
        if (!country) {
          continue;
        }
        const final = state.finals.get(m.uuid);
        const message: SandboxMessage = {
          uuid: m.uuid,
          to: m.to,
          batch,
          country,
          network: country.networks[m.network] ?? country.networks[0],
          rateMicro: toMicro(country.rate),
          plan: m.plan,
          status: final?.status ?? 'queued',
          errorCode: final?.errorCode ?? null,
          charged: final?.charged ?? false,
          queuedAt: entry.at,
          sentAt: final?.sentAt ?? null,
          finalAt: final?.at ?? null,
          // Its `queued` callback went out when it was accepted.
          sequence: final?.sequence ?? 1,
          lane: m.lane,
          reorder: m.reorder,
          noReceipt: m.noReceipt,
          nth: m.nth,
        };
        messages.push(message);
        this.statusCounts[message.status]++;
        if (final) {
          if (final.charged && this.balanceMicro !== null) {
            this.balanceMicro -= message.rateMicro * batch.units;
          }
          if (batch.url && !final.answered && !state.answered.has(m.uuid)) {
            this.restoredUnanswered.push(message);
          }
        } else {
          this.restoredPending.push({ message, sendAt: m.sendAt });
        }
      }
      this.records.add(submissionOf(batch, entry.at, entry.invalidNumbers, messages), messages);
    }
  }

  /**
   * The restored messages not yet final go on from where they were: what fell due while the sandbox was
   * down (a send, a receipt, an expiry) runs at once, stamped with the time it was due, as Plivo would
   * have done it meanwhile; the rest at its time. Called once the receiver of the callbacks listens.
   */
  resumeRestored(): void {
    const options = this.options();
    const unanswered = this.restoredUnanswered;
    this.restoredUnanswered = [];
    for (const message of unanswered) {
      // The same callback again (its sequence unchanged), as Plivo retries one that got no answer.
      this.dispatch(message, this.callbackJob(message, message.batch.url!, message.finalAt!, true), options);
    }
    const pending = this.restoredPending;
    this.restoredPending = [];
    for (const { message, sendAt } of pending) {
      if (sendAt === null) {
        const expiresAt = message.queuedAt + message.batch.expiryMs;
        this.scheduler.at(expiresAt, (m: SandboxMessage, due: number) => this.expire(m, due), message);
      } else {
        this.mps.restore(message.lane, sendAt);
        this.scheduler.at(sendAt, (m: SandboxMessage, due: number) => this.send(m, due), message);
      }
    }
  }

  stats(): EngineStats {
    return {
      messages: { ...this.statusCounts },
      expired: this.expired,
      callbacks: { ...this.callbackCounts },
      balanceUsd: this.balanceMicro === null ? null : this.balanceMicro / 100_000,
    };
  }

  reset(): void {
    for (const key of Object.keys(this.statusCounts) as SandboxMessageStatus[]) {
      this.statusCounts[key] = 0;
    }
    for (const key of Object.keys(this.callbackCounts) as Array<keyof typeof this.callbackCounts>) {
      this.callbackCounts[key] = 0;
    }
    this.expired = 0;
    this.held.clear();
    this.restoredPending = [];
    this.restoredUnanswered = [];
    this.journal?.reset();
    this.balanceMicro = toBalance(this.options().creditUsd);
    this.creditBlockedUntil = 0;
  }

  // `now` is when the task was due: timestamps follow the queue, not event-loop lag.
  private send(message: SandboxMessage, now: number): void {
    this.mps.released(message.lane);
    const options = this.options();
    if (options.barredCountries.includes(message.country.iso)) {
      return this.finish(message, 'failed', GEO_BARRED_CODE, now);
    }
    if (this.inbound.optedOutAtCarrier(message.to)) {
      return this.finish(message, 'failed', CARRIER_OPT_OUT_CODE, now);
    }
    if (message.plan.status === 'failed') {
      return this.finish(message, 'failed', message.plan.errorCode, now);
    }
    const cost = message.rateMicro * message.batch.units;
    if (this.balanceMicro !== null) {
      if (this.balanceMicro < cost) {
        this.creditBlockedUntil = now + CREDIT_BLOCK_MS * options.timeScale;
        return this.finish(message, 'failed', INSUFFICIENT_CREDIT_CODE, now);
      }
      this.balanceMicro -= cost;
    }
    message.charged = true;
    message.sentAt = now;
    this.setStatus(message, 'sent');
    this.emit(message, now);
    if (message.noReceipt) {
      // `sent` is as far as it goes: its last status.
      this.journal?.final(message);
      this.inbound.afterDelivery(message, now);
    } else {
      const jitter = 0.5 + randomFor(options.seed, message.to, message.nth, 'dlr')();
      this.scheduler.at(
        now + options.dlrDelayMs * options.timeScale * jitter,
        (m: SandboxMessage, due: number) => this.deliver(m, due),
        message,
      );
    }
  }

  private deliver(message: SandboxMessage, now: number): void {
    const { status, errorCode } = message.plan;
    this.finish(message, status === 'failed' ? 'undelivered' : status, errorCode, now);
    if (message.status === 'delivered') {
      this.inbound.afterDelivery(message, now);
    }
  }

  private expire(message: SandboxMessage, now: number): void {
    this.expired++;
    this.finish(message, 'failed', MESSAGE_EXPIRED_CODE, now);
  }

  private finish(message: SandboxMessage, status: SandboxMessageStatus, errorCode: string | null, now: number): void {
    message.errorCode = errorCode;
    message.finalAt = now;
    this.setStatus(message, status);
    this.emit(message, now);
    this.journal?.final(message);
  }

  private setStatus(message: SandboxMessage, status: SandboxMessageStatus): void {
    this.statusCounts[message.status]--;
    this.statusCounts[status]++;
    message.status = status;
  }

  private emit(message: SandboxMessage, now: number): void {
    const url = message.batch.url;
    message.sequence++;
    if (!url) {
      this.callbackCounts.withoutUrl++;
      return;
    }
    const options = this.options();
    if (message.status === 'queued' && !options.queuedCallbacks) {
      return;
    }
    const isLast = message.status !== 'queued' && !(message.status === 'sent' && !message.noReceipt);
    const job = this.callbackJob(message, url, now, isLast);
    this.callbackCounts.generated++;
    if (message.reorder && !isLast) {
      const held = this.held.get(message);
      if (held) {
        held.push(job);
      } else {
        this.held.set(message, [job]);
      }
      return;
    }
    this.dispatch(message, job, options);
    const held = this.held.get(message);
    if (held) {
      this.held.delete(message);
      this.callbackCounts.reordered += held.length;
      held.forEach((earlier) => this.dispatch(message, earlier, options));
    }
  }

  /** A message's callback as it stands; its last one tells the journal when it has been answered. */
  private callbackJob(message: SandboxMessage, url: string, at: number, isLast: boolean): CallbackJob {
    const { uuid, status, sequence } = message;
    return {
      url,
      method: message.batch.method,
      params: () => callbackParams(message, status, sequence, at),
      attempt: 0,
      subaccountToken: message.batch.subaccountToken,
      ...(isLast && this.journal ? { onSettled: () => this.journal?.acknowledged(uuid) } : {}),
    };
  }

  private dispatch(message: SandboxMessage, job: CallbackJob, options: SandboxOptions): void {
    if (options.callbackLossRate > 0 || options.callbackDuplicateRate > 0) {
      const random = randomFor(options.seed, message.to, message.nth, job.params().Sequence);
      if (random() < options.callbackLossRate) {
        this.callbackCounts.lost++;
        // Lost on purpose: not one to send again after a restart.
        job.onSettled?.();
        return;
      }
      if (random() < options.callbackDuplicateRate) {
        this.callbackCounts.duplicated++;
        this.dispatcher.enqueue({ ...job, onSettled: undefined });
      }
    }
    this.dispatcher.enqueue(job);
  }
}

/** What the records keep of an accepted request. */
function submissionOf(
  batch: SandboxBatch,
  receivedAt: number,
  invalidNumbers: string[],
  messages: SandboxMessage[],
): SandboxSubmission {
  return {
    index: batch.index,
    apiId: batch.apiId,
    authId: batch.authId,
    receivedAt: new Date(receivedAt),
    src: batch.src,
    numbers: messages.map((m) => `+${m.to}`),
    text: batch.text,
    messageUuids: messages.map((m) => m.uuid),
    invalidNumbers,
    callbackUrl: batch.url ?? null,
    callbackMethod: batch.method,
    answer: 'accepted',
  };
}

function toBalance(creditUsd: number | null): number | null {
  return creditUsd === null ? null : Math.round(creditUsd * 100_000);
}

/** SANDBOX_COUNTRY_OUTCOMES: this share of a country's messages gets the rule's status. */
function countryForced(options: SandboxOptions, iso: string, random: () => number): ForcedOutcome | undefined {
  const rule = options.countryOutcomes[iso];
  return rule && random() < rule.rate ? { status: rule.status } : undefined;
}
