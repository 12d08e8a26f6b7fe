import { PubSubEngine } from 'graphql-subscriptions';

/** DI token of the process-wide PubSubEngine (Redis, PostgreSQL LISTEN/NOTIFY or in-memory). */
export const PUB_SUB = Symbol('PUB_SUB');

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; every backend keeps to it. */
export const MAX_PUBSUB_PAYLOAD_BYTES = 7900;

export type PubSubBackend = 'redis' | 'postgres' | 'memory';

/** A PubSubEngine that owns connections and knows how to release them. */
export abstract class ClosablePubSub extends PubSubEngine {
  abstract readonly backend: PubSubBackend;
  abstract close(): Promise<void>;
}

/** JSON of the payload, refused when it would not fit in a NOTIFY: publish ids, not snapshots. */
export function encodePayload(triggerName: string, payload: unknown): string {
  const json = JSON.stringify(payload ?? null);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_PUBSUB_PAYLOAD_BYTES) {
    throw new Error(`PubSub payload on "${triggerName}" is ${bytes} bytes; the limit is ${MAX_PUBSUB_PAYLOAD_BYTES}`);
  }
  return json;
}
