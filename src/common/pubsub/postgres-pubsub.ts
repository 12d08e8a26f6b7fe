import { Logger } from '@nestjs/common';
import { Client, Notification } from 'pg';
import { ClosablePubSub, encodePayload, PubSubBackend } from './pubsub.constants';
import { SubscriptionRegistry } from './subscription-registry';

const CHANNEL_PREFIX = 'bulk_sms.';
const RECONNECT_MAX_DELAY_MS = 30_000;

/**
 * PostgreSQL LISTEN/NOTIFY on one dedicated connection (outside Prisma's pool, which would hand the
 * listening session to other queries). Publishes go through the same connection. A lost connection
 * is re-opened with backoff and its channels listened to again; what was notified meanwhile is lost,
 * which the live-progress service covers with a slow periodic refresh.
 */
export class PostgresPubSub extends ClosablePubSub {
  readonly backend: PubSubBackend = 'postgres';
  private readonly logger = new Logger(PostgresPubSub.name);
  private readonly registry = new SubscriptionRegistry();
  private client: Client;
  private closed = false;
  private reconnectTimer?: NodeJS.Timeout;

  private constructor(
    private readonly url: string,
    client: Client,
  ) {
    super();
    this.client = client;
    this.attach(client);
  }

  /** Opens the listening connection; null when the server is PGlite, whose socket server does not route NOTIFY. */
  static async connect(url: string): Promise<PostgresPubSub | null> {
    const client = await PostgresPubSub.openClient(url);
    const { rows } = await client.query<{ version: string }>('SELECT version() AS version');
    if (rows[0]?.version.includes('PGlite')) {
      await client.end();
      return null;
    }
    return new PostgresPubSub(url, client);
  }

  async publish(triggerName: string, payload: unknown): Promise<void> {
    await this.client.query('SELECT pg_notify($1, $2)', [
      CHANNEL_PREFIX + triggerName,
      encodePayload(triggerName, payload),
    ]);
  }

  async subscribe(triggerName: string, onMessage: (payload: unknown) => void): Promise<number> {
    const { id, first } = this.registry.add(triggerName, onMessage);
    if (first) {
      await this.client.query(`LISTEN ${quoteChannel(triggerName)}`);
    }
    return id;
  }

  unsubscribe(subId: number): void {
    const lastOfTrigger = this.registry.remove(subId);
    if (lastOfTrigger !== undefined && !this.closed) {
      this.client.query(`UNLISTEN ${quoteChannel(lastOfTrigger)}`).catch((error: unknown) => {
        // Closing ends the connection under it, and a lost connection listens to nothing anyway.
        if (!this.closed) {
          this.logger.warn(`UNLISTEN: ${String(error)}`);
        }
      });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.registry.ids().forEach((id) => this.registry.remove(id));
    await this.client.end().catch(() => undefined);
  }

  private static async openClient(url: string): Promise<Client> {
    const client = new Client({ connectionString: url, application_name: 'bulk-sms-pubsub', keepAlive: true });
    // Until attach() takes over: a connection lost while connecting or re-listening must fail the
    // pending call, not end the process as an unhandled 'error' event.
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }

  private attach(client: Client): void {
    client.removeAllListeners('error');
    client.on('notification', (notification: Notification) => this.onNotification(notification));
    client.on('error', (error: Error) => {
      this.logger.warn(`LISTEN connection failed: ${error.message}`);
      this.scheduleReconnect(client, 1000);
    });
    client.on('end', () => this.scheduleReconnect(client, 1000));
  }

  private scheduleReconnect(lost: Client, delayMs: number): void {
    if (this.closed || lost !== this.client || this.reconnectTimer) {
      return;
    }
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.reconnect(lost, delayMs);
    }, delayMs);
    this.reconnectTimer.unref();
  }

  private async reconnect(lost: Client, delayMs: number): Promise<void> {
    try {
      const client = await PostgresPubSub.openClient(this.url);
      if (this.closed) {
        await client.end();
        return;
      }
      for (const trigger of this.registry.triggers()) {
        await client.query(`LISTEN ${quoteChannel(trigger)}`);
      }
      this.client = client;
      this.attach(client);
      lost.removeAllListeners();
      lost.on('error', () => undefined);
      lost.end().catch(() => undefined);
      this.logger.log('LISTEN connection re-established');
    } catch (error) {
      this.logger.warn(`LISTEN reconnect failed: ${error instanceof Error ? error.message : String(error)}`);
      this.scheduleReconnect(lost, Math.min(delayMs * 2, RECONNECT_MAX_DELAY_MS));
    }
  }

  private onNotification({ channel, payload }: Notification): void {
    if (!channel.startsWith(CHANNEL_PREFIX)) {
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload ?? 'null');
    } catch {
      this.logger.warn(`Ignoring a notification that is not JSON on ${channel}`);
      return;
    }
    this.registry.dispatch(channel.slice(CHANNEL_PREFIX.length), parsed, (error) =>
      this.logger.error({ err: error }, `Subscriber of ${channel} failed`),
    );
  }
}

/** A channel is an identifier: quoted, so dots and case survive. */
function quoteChannel(triggerName: string): string {
  return `"${(CHANNEL_PREFIX + triggerName).replace(/"/g, '""')}"`;
}
