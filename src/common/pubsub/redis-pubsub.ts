import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { ClosablePubSub, encodePayload, PubSubBackend } from './pubsub.constants';
import { SubscriptionRegistry } from './subscription-registry';

/**
 * Redis pub/sub on ioredis: one connection publishes, one subscribes (a subscribed connection can
 * do nothing else). ioredis reconnects and re-subscribes by itself. Channels are
 * REDIS_this.channelPrefix + trigger: Redis pub/sub is server-wide (database numbers do not separate
 * it), so the prefix is what keeps deployments sharing a Redis apart.
 */
export class RedisPubSub extends ClosablePubSub {
  readonly backend: PubSubBackend = 'redis';
  private readonly logger = new Logger(RedisPubSub.name);
  private readonly registry = new SubscriptionRegistry();

  private constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly channelPrefix: string,
  ) {
    super();
    subscriber.on('message', (channel: string, message: string) => this.onMessage(channel, message));
    for (const connection of [publisher, subscriber]) {
      connection.on('error', (error: Error) => this.logger.warn(`Redis: ${error.message}`));
    }
  }

  /** Connects both connections before the application starts, so a wrong REDIS_URL fails the boot. */
  static async connect(url: string, channelPrefix: string): Promise<RedisPubSub> {
    // No retries while booting: a wrong URL fails now. Once connected, ioredis reconnects with backoff.
    const options = {
      lazyConnect: true,
      maxRetriesPerRequest: 3,
      connectionName: 'bulk-sms-pubsub',
      retryStrategy: () => null,
    };
    const publisher = new Redis(url, options);
    const subscriber = new Redis(url, options);
    let cause: Error | undefined;
    [publisher, subscriber].forEach((connection) => connection.once('error', (error: Error) => (cause ??= error)));
    try {
      await Promise.all([publisher.connect(), subscriber.connect()]);
    } catch (error) {
      [publisher, subscriber]
        .filter((connection) => connection.status !== 'end')
        .forEach((connection) => connection.disconnect());
      const reason = cause?.message ?? (error instanceof Error ? error.message : String(error));
      throw new Error(`REDIS_URL: cannot connect to Redis (${reason})`);
    }
    for (const connection of [publisher, subscriber]) {
      connection.options.retryStrategy = (attempt: number) => Math.min(attempt * 200, 5000);
    }
    return new RedisPubSub(publisher, subscriber, channelPrefix);
  }

  async publish(triggerName: string, payload: unknown): Promise<void> {
    await this.publisher.publish(this.channelPrefix + triggerName, encodePayload(triggerName, payload));
  }

  async subscribe(triggerName: string, onMessage: (payload: unknown) => void): Promise<number> {
    const { id, first } = this.registry.add(triggerName, onMessage);
    if (first) {
      await this.subscriber.subscribe(this.channelPrefix + triggerName);
    }
    return id;
  }

  unsubscribe(subId: number): void {
    const lastOfTrigger = this.registry.remove(subId);
    if (lastOfTrigger !== undefined) {
      this.subscriber
        .unsubscribe(this.channelPrefix + lastOfTrigger)
        .catch((error: unknown) => this.logger.warn(`unsubscribe: ${String(error)}`));
    }
  }

  async close(): Promise<void> {
    this.registry.ids().forEach((id) => this.registry.remove(id));
    await Promise.all(
      [this.subscriber, this.publisher].map((connection) => connection.quit().catch(() => connection.disconnect())),
    );
  }

  private onMessage(channel: string, message: string): void {
    if (!channel.startsWith(this.channelPrefix)) {
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(message);
    } catch {
      this.logger.warn(`Ignoring a message that is not JSON on ${channel}`);
      return;
    }
    this.registry.dispatch(channel.slice(this.channelPrefix.length), payload, (error) =>
      this.logger.error({ err: error }, `Subscriber of ${channel} failed`),
    );
  }
}
