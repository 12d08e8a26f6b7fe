import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { PubSubEngine } from 'graphql-subscriptions';
import { Webhook } from 'standardwebhooks';
import { IdleBackoff } from '../common/loops/idle-backoff';
import { WakeableLoop } from '../common/loops/wakeable-loop';
import { PUB_SUB } from '../common/pubsub/pubsub.constants';
import { CAMPAIGNS_CHANGED } from '../campaigns/campaign-progress.publisher';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config.service';
import {
  ClaimedDelivery,
  DeliveryOutcome,
  EndpointOutcome,
  WebhookRepository,
} from '../persistence/webhook.repository';
import { WebhookHttpSender, WebhookRequest, WebhookResponse } from './webhook-http-sender';
import { signedHeaders, webhookBody } from './webhook-payload';
import { nextAttemptAt, RetrySchedule } from './webhook-retry-schedule';

const ERROR_PAUSE_MS = 1000;
// A lease outlives the request it covers, so no other instance sends the same delivery meanwhile.
const LEASE_MARGIN_MS = 5000;
// Polls that find nothing for this long slow the worker down to WEBHOOK_DELIVERY_IDLE_POLL_MS.
const IDLE_AFTER_MS = 5000;

interface Finished {
  delivery: ClaimedDelivery;
  response: WebhookResponse;
}

/**
 * Sends the outbox's due deliveries: at most WEBHOOK_DELIVERY_CONCURRENCY requests in flight (and
 * WEBHOOK_DELIVERY_CONCURRENCY_PER_ENDPOINT per endpoint), each leased in the database first, so a
 * crash repeats a delivery (at-least-once) but never loses one. It shares nothing with sending or
 * report intake but the database: a hanging endpoint only holds its own slots until the timeout.
 * Outcomes are recorded in batches (two statements however many finished).
 */
@Injectable()
export class WebhookDeliveryWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDeliveryWorker.name);
  private readonly settings: AppConfig['customerWebhooks'];
  private readonly sender: WebhookHttpSender;
  private readonly signers = new Map<string, { secret: string; signer: Webhook }>();
  private readonly inFlightByEndpoint = new Map<string, number>();
  private readonly sends = new Set<Promise<void>>();
  private finished: Finished[] = [];
  private flushing: Promise<void> | undefined;
  private readonly loop: WakeableLoop;
  private readonly idle: IdleBackoff;
  private subscriptionId?: number;

  constructor(
    private readonly repository: WebhookRepository,
    config: AppConfig,
    private readonly clock: Clock,
    @Inject(PUB_SUB) private readonly pubSub: PubSubEngine,
  ) {
    this.settings = config.customerWebhooks;
    this.sender = new WebhookHttpSender(this.settings.timeoutMs, this.settings.allowPrivate);
    this.idle = new IdleBackoff({
      busyIntervalMs: this.settings.pollMs,
      idleIntervalMs: this.settings.idlePollMs,
      idleAfterMs: IDLE_AFTER_MS,
    });
    this.loop = new WakeableLoop({
      pass: () => this.claimFreeSlots(),
      intervalMs: () => this.idle.intervalMs(),
      errorPauseMs: ERROR_PAUSE_MS,
      onError: (error) => this.logger.error(`Claiming webhook deliveries failed: ${String(error)}`),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    // Campaign events (started, completed, a message's final status...) are written by triggers in the
    // transaction that changed the campaign; its commit is announced on every instance. An idle worker
    // looks at once and polls at WEBHOOK_DELIVERY_POLL_MS again while they keep coming.
    this.subscriptionId = await this.pubSub.subscribe(CAMPAIGNS_CHANGED, () => this.onCampaignsChanged(), {});
    this.loop.start();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.subscriptionId !== undefined) {
      this.pubSub.unsubscribe(this.subscriptionId);
      this.subscriptionId = undefined;
    }
    await this.loop.stop();
    // Requests in flight are cut short; their outcome (a failure, retried later) is still recorded.
    this.sender.close();
    await Promise.allSettled([...this.sends]);
    await this.flush();
  }

  /** Something may be due (a delivery finished or was replayed): look now rather than at the next poll. */
  notify(): void {
    this.loop.wake();
  }

  private onCampaignsChanged(): void {
    if (this.idle.idle) {
      this.idle.reset();
      this.loop.wake();
    }
  }

  private get inFlight(): number {
    return this.sends.size;
  }

  /** Fills the free slots; true when every free slot was filled (more may be due). */
  private async claimFreeSlots(): Promise<boolean> {
    const free = this.settings.concurrency - this.inFlight;
    if (free <= 0) {
      // Every slot is busy: a finished send wakes the loop.
      this.idle.passFound(this.inFlight);
      return false;
    }
    const claimed = await this.claim(free);
    this.idle.passFound(claimed + this.inFlight);
    return claimed === free;
  }

  private async claim(limit: number): Promise<number> {
    const busy = [...this.inFlightByEndpoint]
      .filter(([, count]) => count >= this.settings.concurrencyPerEndpoint)
      .map(([id]) => id);
    const deliveries = await this.repository.claimDue(limit, busy, this.settings.timeoutMs + LEASE_MARGIN_MS);
    for (const delivery of deliveries) {
      this.inFlightByEndpoint.set(delivery.endpointId, (this.inFlightByEndpoint.get(delivery.endpointId) ?? 0) + 1);
      const send: Promise<void> = this.send(delivery).finally(() => {
        this.sends.delete(send);
        const left = (this.inFlightByEndpoint.get(delivery.endpointId) ?? 1) - 1;
        if (left === 0) {
          this.inFlightByEndpoint.delete(delivery.endpointId);
        } else {
          this.inFlightByEndpoint.set(delivery.endpointId, left);
        }
      });
      this.sends.add(send);
    }
    return deliveries.length;
  }

  private async send(delivery: ClaimedDelivery): Promise<void> {
    const response = await this.attempt(delivery);
    this.finished.push({ delivery, response });
    void this.flush();
  }

  /**
   * One attempt's outcome. A request that cannot even be built (a secret edited in the database into
   * one that is not base64) is a failed attempt like any other: retried, then the endpoint disabled,
   * never an unhandled rejection that would end the process.
   */
  private async attempt(delivery: ClaimedDelivery): Promise<WebhookResponse> {
    let request: WebhookRequest;
    try {
      const body = webhookBody(delivery);
      const headers = signedHeaders(this.signer(delivery), delivery.eventId, body, this.clock.now());
      request = { url: delivery.url, headers, body };
    } catch (error) {
      return { ok: false, statusCode: null, error: `the request could not be signed: ${String(error)}`, durationMs: 0 };
    }
    return this.sender.send(request);
  }

  private signer(delivery: ClaimedDelivery): Webhook {
    const cached = this.signers.get(delivery.endpointId);
    if (cached?.secret === delivery.secret) {
      return cached.signer;
    }
    const signer = new Webhook(delivery.secret);
    this.signers.set(delivery.endpointId, { secret: delivery.secret, signer });
    return signer;
  }

  /** Records what finished since the last flush; one flush at a time, another follows if more finished. */
  private flush(): Promise<void> {
    this.flushing ??= (async () => {
      try {
        while (this.finished.length > 0) {
          const batch = this.finished;
          this.finished = [];
          await this.record(batch);
        }
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  private async record(batch: Finished[]): Promise<void> {
    const now = this.clock.now();
    const schedule: RetrySchedule = {
      baseMs: this.settings.retryBaseMs,
      maxDelayMs: this.settings.retryMaxDelayMs,
      retryForMs: this.settings.retryForMs,
    };
    const deliveries: DeliveryOutcome[] = [];
    const endpoints = new Map<string, EndpointOutcome>();
    for (const { delivery, response } of batch) {
      const retryAt = response.ok ? null : nextAttemptAt(schedule, delivery.attempts, delivery.eventCreatedAt, now);
      deliveries.push({
        id: delivery.id,
        delivered: response.ok,
        nextAttemptAt: retryAt,
        statusCode: response.statusCode,
        error: response.error?.slice(0, 500) ?? null,
        durationMs: response.durationMs,
      });
      const endpoint = endpoints.get(delivery.endpointId) ?? {
        endpointId: delivery.endpointId,
        ok: false,
        failures: 0,
        disableReason: null,
        failingSince: null,
      };
      endpoint.ok = response.ok;
      if (!response.ok) {
        endpoint.failures++;
        if (response.statusCode === 410) {
          endpoint.disableReason = 'the endpoint answered 410 Gone';
          endpoint.failingSince = null;
        } else if (retryAt === null && endpoint.disableReason === null) {
          endpoint.disableReason = `deliveries kept failing for ${Math.round(schedule.retryForMs / 1000)} s (last: ${deliveries[deliveries.length - 1].error})`;
          endpoint.failingSince = delivery.eventCreatedAt;
        }
      }
      endpoints.set(delivery.endpointId, endpoint);
    }
    try {
      const disabled = await this.repository.recordOutcomes(deliveries, [...endpoints.values()]);
      for (const endpoint of disabled) {
        this.logger.warn(
          `Webhook endpoint ${endpoint.id} of account ${endpoint.accountId} disabled: ${endpoint.disabledReason}`,
        );
      }
    } catch (error) {
      // The leases expire and these deliveries are sent again: at-least-once holds.
      this.logger.error(`Recording ${deliveries.length} webhook outcomes failed: ${String(error)}`);
    }
    this.notify();
  }
}
