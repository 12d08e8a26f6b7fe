import { Logger } from '@nestjs/common';
import { InMemoryPubSub } from './in-memory-pubsub';
import { PostgresPubSub } from './postgres-pubsub';
import { ClosablePubSub } from './pubsub.constants';
import { RedisPubSub } from './redis-pubsub';

export interface PubSubSettings {
  redisUrl?: string;
  /** Prefix of the Redis channels (REDIS_CHANNEL_PREFIX). */
  redisChannelPrefix: string;
  /** The database the app uses (PostgreSQL, or PGlite's loopback socket). */
  databaseUrl?: string;
}

/**
 * Redis when REDIS_URL is set; else LISTEN/NOTIFY on the database, so instances sharing a
 * PostgreSQL database see each other's events with no extra infrastructure; in-memory on PGlite,
 * whose socket server runs every client on one backend and hands a NOTIFY back to the connection
 * that sent it, never to the listener (checked against pglite-socket 0.2): one process only.
 */
export async function createPubSub(settings: PubSubSettings): Promise<ClosablePubSub> {
  const logger = new Logger('PubSub');
  if (settings.redisUrl) {
    const redis = await RedisPubSub.connect(settings.redisUrl, settings.redisChannelPrefix);
    logger.log('Live progress over Redis pub/sub');
    return redis;
  }
  if (settings.databaseUrl) {
    const postgres = await PostgresPubSub.connect(settings.databaseUrl);
    if (postgres) {
      logger.log('Live progress over PostgreSQL LISTEN/NOTIFY');
      return postgres;
    }
  }
  logger.log(`Live progress in memory (${settings.databaseUrl ? 'PGlite' : 'no shared backend'}: this process only)`);
  return new InMemoryPubSub();
}
