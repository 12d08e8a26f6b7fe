import { randomUUID } from 'node:crypto';
import { SandboxCallbackDispatcher } from './sandbox-callbacks';
import { SandboxMessage } from './sandbox-message';
import { randomFor } from './sandbox-random';
import { SandboxScheduler } from './sandbox-scheduler';
import { SandboxOptions } from './sandbox.options';

/** A reply a recipient sent (or was made to send through the control API). */
export interface SandboxInboundMessage {
  messageUuid: string;
  /** E.164 with '+'. */
  from: string;
  to: string;
  text: string;
  /** When it was posted to the Message URL (ms since epoch); null when no URL is set. */
  postedAt: number | null;
}

const FREE_TEXTS = ['Thanks!', 'Who is this?', 'ok', 'Can you call me back?'];

/**
 * Recipients' replies, as Plivo posts them to the Application's Message URL: From, To, Text, Type,
 * MessageUUID (plus Units and TotalRate), V3-signed by the shared callback dispatcher. A delivered
 * message draws, per number and message, STOP, HELP or free text at the configured rates; a STOP
 * may also opt the number out at the carrier (every later message fails with error 200).
 */
export class SandboxInbound {
  readonly received: SandboxInboundMessage[] = [];
  private readonly carrierOptOuts = new Set<string>();
  private readonly stopped = new Set<string>();

  constructor(
    private readonly options: () => SandboxOptions,
    private readonly scheduler: SandboxScheduler,
    private readonly dispatcher: SandboxCallbackDispatcher,
  ) {}

  /** True when the carrier refuses messages to `to` (digits, no '+'). */
  optedOutAtCarrier(to: string): boolean {
    return this.carrierOptOuts.has(to) || this.options().carrierOptOutNumbers.includes(to);
  }

  /** A message reached its recipient: maybe they answer, after inboundDelayMs (Plivo time). */
  afterDelivery(message: SandboxMessage, now: number): void {
    const options = this.options();
    const total = options.inboundStopRate + options.inboundHelpRate + options.inboundTextRate;
    if (total <= 0 || this.repliedStop(message.to)) {
      return;
    }
    const roll = randomFor(options.seed, message.to, message.nth, 'reply')();
    const text =
      roll < options.inboundStopRate
        ? 'STOP'
        : roll < options.inboundStopRate + options.inboundHelpRate
          ? 'HELP'
          : roll < total
            ? FREE_TEXTS[Math.floor(roll * 1000) % FREE_TEXTS.length]
            : null;
    if (text === null) {
      return;
    }
    const from = message.to;
    const to = message.batch.src;
    this.scheduler.at(
      now + options.inboundDelayMs * options.timeScale,
      (_: null, due: number) => this.send(from, to, text, due),
      null,
    );
  }

  /** Posts one inbound message now (the control API and tests use it directly). */
  send(from: string, to: string, text: string, now: number): SandboxInboundMessage {
    const options = this.options();
    const digits = from.replace(/^\+/, '');
    const message: SandboxInboundMessage = {
      messageUuid: randomUUID(),
      from: `+${digits}`,
      to: to.replace(/^\+/, ''),
      text,
      postedAt: options.inboundUrl ? now : null,
    };
    this.received.push(message);
    if (text.trim().toUpperCase() === 'STOP') {
      this.stopped.add(digits);
      if (options.carrierOptOutOnStop) {
        this.carrierOptOuts.add(digits);
      }
    }
    if (options.inboundUrl) {
      const params = sortKeys({
        From: digits,
        To: message.to,
        Text: text,
        Type: 'sms',
        MessageUUID: message.messageUuid,
        Units: '1',
        TotalRate: '0.00000',
        TotalAmount: '0.00000',
      });
      this.dispatcher.enqueue({ url: options.inboundUrl, method: 'POST', params: () => params, attempt: 0 });
    }
    return message;
  }

  clear(): void {
    this.received.length = 0;
    this.carrierOptOuts.clear();
    this.stopped.clear();
  }

  private repliedStop(to: string): boolean {
    return this.stopped.has(to);
  }
}

function sortKeys(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
