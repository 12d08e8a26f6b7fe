import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { NotFoundError, UserInputError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config.service';
import { decodeCursor, encodeCursor } from '../persistence/keyset-cursor';
import {
  WebhookDeliveryRecord,
  WebhookDeliveryState,
  WebhookEndpointRecord,
  WebhookRepository,
} from '../persistence/webhook.repository';
import { refuseWebhookUrl } from './webhook-address-policy';
import { WebhookDeliveryWorker } from './webhook-delivery.worker';
import { isWebhookEventType, WEBHOOK_EVENT_TYPES } from './webhook-event-types';

export const MAX_ENDPOINTS_PER_ACCOUNT = 20;

export interface DeliveryPage {
  items: Array<{ cursor: string; delivery: WebhookDeliveryRecord }>;
  hasNextPage: boolean;
}

/** Endpoints of an account, their delivery log, replay and re-enabling. */
@Injectable()
export class WebhookEndpointsService {
  constructor(
    private readonly repository: WebhookRepository,
    private readonly config: AppConfig,
    private readonly worker: WebhookDeliveryWorker,
  ) {}

  async create(
    accountId: string,
    url: string,
    events: string[],
  ): Promise<{ endpoint: WebhookEndpointRecord; secret: string }> {
    const refused = refuseWebhookUrl(url, this.config.customerWebhooks.allowPrivate);
    if (refused) {
      throw new UserInputError('url', refused);
    }
    const unique = [...new Set(events)];
    if (unique.length === 0) {
      throw new UserInputError('events', `name at least one of ${WEBHOOK_EVENT_TYPES.join(', ')}`);
    }
    const unknown = unique.filter((event) => !isWebhookEventType(event));
    if (unknown.length > 0) {
      throw new UserInputError(
        'events',
        `unknown event ${unknown.map((e) => JSON.stringify(e.slice(0, 64))).join(', ')} (one of ${WEBHOOK_EVENT_TYPES.join(', ')})`,
      );
    }
    if ((await this.repository.countEndpoints(accountId)) >= MAX_ENDPOINTS_PER_ACCOUNT) {
      throw new UserInputError('url', `an account has at most ${MAX_ENDPOINTS_PER_ACCOUNT} webhook endpoints`);
    }
    // Standard Webhooks secret format: whsec_ + base64 of 32 random bytes.
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    return { endpoint: await this.repository.createEndpoint(accountId, url, unique, secret), secret };
  }

  list(accountId: string): Promise<WebhookEndpointRecord[]> {
    return this.repository.listEndpoints(accountId);
  }

  async delete(accountId: string, id: string): Promise<boolean> {
    if (!(await this.repository.deleteEndpoint(accountId, id))) {
      throw new NotFoundError(`Webhook endpoint ${id}`);
    }
    return true;
  }

  async enable(accountId: string, id: string): Promise<WebhookEndpointRecord> {
    const endpoint = await this.repository.enableEndpoint(accountId, id);
    if (!endpoint) {
      throw new NotFoundError(`Webhook endpoint ${id}`);
    }
    this.worker.notify();
    return endpoint;
  }

  async deliveries(
    accountId: string,
    endpointId: string,
    first: number,
    after: string | null | undefined,
    state: WebhookDeliveryState | null | undefined,
  ): Promise<DeliveryPage> {
    if (!(await this.repository.findEndpoint(accountId, endpointId))) {
      throw new NotFoundError(`Webhook endpoint ${endpointId}`);
    }
    let before: string | null = null;
    if (after) {
      const position = safeDecode(after);
      if (!position || position.sortKey !== 'wd' || !/^\d{1,19}$/.test(position.id)) {
        throw new UserInputError('after', 'not a cursor returned by this API');
      }
      before = position.id;
    }
    const rows = await this.repository.listDeliveries(endpointId, first + 1, before, state ?? null);
    return {
      hasNextPage: rows.length > first,
      items: rows.slice(0, first).map((delivery) => ({ cursor: encodeCursor('wd', delivery.id), delivery })),
    };
  }

  async replay(accountId: string, deliveryId: string): Promise<WebhookDeliveryRecord> {
    const delivery = await this.repository.replayDelivery(accountId, deliveryId);
    if (!delivery) {
      throw new NotFoundError(`Webhook delivery ${deliveryId}`);
    }
    this.worker.notify();
    return delivery;
  }
}

function safeDecode(cursor: string): { sortKey: string; id: string } | null {
  try {
    return decodeCursor(cursor);
  } catch {
    return null;
  }
}
