import { PubSub } from 'graphql-subscriptions';
import { ClosablePubSub, encodePayload, PubSubBackend } from './pubsub.constants';

type Handler = (payload: unknown) => void;

/**
 * One process only. Payloads go through JSON like on the other backends, so a subscriber never
 * sees a shared mutable object and a payload too big for NOTIFY fails here too, in tests.
 */
export class InMemoryPubSub extends ClosablePubSub {
  readonly backend: PubSubBackend = 'memory';
  private readonly inner = new PubSub();
  private readonly ids = new Set<number>();

  publish(triggerName: string, payload: unknown): Promise<void> {
    return this.inner.publish(triggerName, JSON.parse(encodePayload(triggerName, payload)) as unknown);
  }

  async subscribe(triggerName: string, onMessage: Handler): Promise<number> {
    const id = await this.inner.subscribe(triggerName, onMessage);
    this.ids.add(id);
    return id;
  }

  unsubscribe(subId: number): void {
    this.ids.delete(subId);
    this.inner.unsubscribe(subId);
  }

  close(): Promise<void> {
    [...this.ids].forEach((id) => this.unsubscribe(id));
    return Promise.resolve();
  }
}
