import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { WakeableLoop } from '../common/loops/wakeable-loop';
import { AppConfig } from '../config/app-config.service';
import { AccountSmsGateways } from '../messaging/account-sms-gateways';
import { ClaimedReply, ConsentReplyRepository } from '../persistence/consent-reply.repository';
import { SmsGatewayError } from '../sms-gateway/sms-gateway.error';

const CLAIM_SIZE = 100;
const POLL_MS = 5_000;
const ERROR_PAUSE_MS = 1_000;
// A reply is a courtesy: it expires quickly rather than arrive hours after the keyword.
const REPLY_EXPIRY_SECONDS = 3_600;

/**
 * Sends stored confirmation and HELP replies through the gateway. Durable first: a reply is SENDING
 * before its request leaves, and a SENDING reply is never sent again (at most once: a crash between
 * the two loses a courtesy reply rather than sending it twice). Replies of one account with the same
 * sender and text go in one request (Plivo takes up to 1,000 destinations), through the account's own
 * Plivo sub-account when it has one: its numbers are not the service account's to send from.
 */
@Injectable()
export class ConsentReplySender implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ConsentReplySender.name);
  private readonly loop: WakeableLoop;

  constructor(
    private readonly replies: ConsentReplyRepository,
    private readonly gateways: AccountSmsGateways,
    private readonly config: AppConfig,
  ) {
    this.loop = new WakeableLoop({
      pass: async () => {
        await this.sendWaiting();
        return false;
      },
      intervalMs: POLL_MS,
      errorPauseMs: ERROR_PAUSE_MS,
      onError: (error) => this.logger.error(`Consent replies failed: ${String(error)}`),
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.stop();
  }

  wake(): void {
    this.loop.wake();
  }

  /** Sends everything waiting; returns how many replies were handed to the provider. */
  async sendWaiting(): Promise<number> {
    let sent = 0;
    for (;;) {
      const claimed = await this.replies.claim(CLAIM_SIZE);
      for (const group of groupByAccountSenderAndText(claimed)) {
        sent += await this.send(group);
      }
      if (claimed.length < CLAIM_SIZE) {
        return sent;
      }
    }
  }

  private async send(group: ClaimedReply[]): Promise<number> {
    const ids = group.map((r) => r.id);
    try {
      const { accountId, plivoAuthId, plivoAuthTokenEncrypted } = group[0];
      const gateway = this.gateways.forAccount({ accountId, plivoAuthId, plivoAuthTokenEncrypted });
      const result = await gateway.submitBatch({
        batchId: randomUUID(),
        src: group[0].src,
        recipients: group.map((r) => r.phone),
        text: group[0].text,
        callbackUrl: this.config.deliveryReportUrl,
        messageExpirySeconds: REPLY_EXPIRY_SECONDS,
      });
      await this.replies.markSent(ids, group.length === 1 ? (result.messageUuids[0] ?? null) : null);
      return group.length;
    } catch (error) {
      const reason = error instanceof SmsGatewayError ? `${error.kind}: ${error.message}` : String(error);
      await this.replies.markFailed(ids, reason.slice(0, 200));
      this.logger.warn({ replies: group.length }, `Consent reply not sent (${reason.slice(0, 200)})`);
      return 0;
    }
  }
}

function groupByAccountSenderAndText(replies: ClaimedReply[]): ClaimedReply[][] {
  const groups = new Map<string, ClaimedReply[]>();
  for (const reply of replies) {
    const key = `${reply.accountId}\u0000${reply.src}\u0000${reply.text}`;
    groups.set(key, [...(groups.get(key) ?? []), reply]);
  }
  return [...groups.values()];
}
