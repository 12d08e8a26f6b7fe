import { InMemoryPubSub } from './in-memory-pubsub';
import { createPubSub } from './pubsub.factory';
import { encodePayload, MAX_PUBSUB_PAYLOAD_BYTES } from './pubsub.constants';
import { SubscriptionRegistry } from './subscription-registry';

describe(encodePayload.name, () => {
  it('should encode a payload as JSON', () => {
    expect(encodePayload('t', { campaignIds: ['a'] })).toBe('{"campaignIds":["a"]}');
  });

  it('should refuse a payload that would not fit in a PostgreSQL NOTIFY', () => {
    expect(() => encodePayload('t', { blob: 'x'.repeat(MAX_PUBSUB_PAYLOAD_BYTES) })).toThrow(
      /PubSub payload on "t" is \d+ bytes; the limit is 7900/,
    );
  });
});

describe(InMemoryPubSub.name, () => {
  it('should deliver a copy of the payload to the subscribers of the trigger only', async () => {
    const pubSub = new InMemoryPubSub();
    const received: unknown[] = [];
    const other: unknown[] = [];
    await pubSub.subscribe('a', (payload) => received.push(payload));
    await pubSub.subscribe('b', (payload) => other.push(payload));
    const payload = { campaignIds: ['c1'] };
    await pubSub.publish('a', payload);
    expect(received).toEqual([payload]);
    expect(received[0]).not.toBe(payload);
    expect(other).toEqual([]);
  });

  it('should deliver nothing after close', async () => {
    const pubSub = new InMemoryPubSub();
    const received: unknown[] = [];
    await pubSub.subscribe('a', (payload) => received.push(payload));
    await pubSub.close();
    await pubSub.publish('a', {});
    expect(received).toEqual([]);
  });
});

describe(SubscriptionRegistry.name, () => {
  it('should say when a trigger gets its first and loses its last subscriber', () => {
    const registry = new SubscriptionRegistry();
    const first = registry.add('t', () => undefined);
    const second = registry.add('t', () => undefined);
    expect([first.first, second.first]).toEqual([true, false]);
    expect(registry.remove(first.id)).toBeUndefined();
    expect(registry.remove(second.id)).toBe('t');
    expect(registry.triggers()).toEqual([]);
  });

  it('should call every handler of a trigger even when one throws', () => {
    const registry = new SubscriptionRegistry();
    const calls: string[] = [];
    const errors: unknown[] = [];
    registry.add('t', () => {
      throw new Error('boom');
    });
    registry.add('t', (payload) => calls.push(String(payload)));
    registry.add('u', () => calls.push('wrong trigger'));
    registry.dispatch('t', 'hello', (error) => errors.push(error));
    expect(calls).toEqual(['hello']);
    expect(errors).toHaveLength(1);
  });
});

describe(createPubSub.name, () => {
  it('should use memory without Redis and without a database', async () => {
    const pubSub = await createPubSub({ redisChannelPrefix: 'bulk-sms:' });
    expect(pubSub.backend).toBe('memory');
    await pubSub.close();
  });

  it('should refuse to start with a REDIS_URL nobody answers on', async () => {
    await expect(createPubSub({ redisUrl: 'redis://127.0.0.1:9', redisChannelPrefix: 'bulk-sms:' })).rejects.toThrow(
      /^REDIS_URL: cannot connect to Redis/,
    );
  });
});
