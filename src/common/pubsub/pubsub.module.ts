import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.service';
import { DATABASE_URL } from '../../persistence/database.providers';
import { createPubSub } from './pubsub.factory';
import { ClosablePubSub, PUB_SUB } from './pubsub.constants';

/** Provides PUB_SUB, chosen once at boot (see createPubSub), and closes its connections at shutdown. */
@Module({
  providers: [
    {
      provide: PUB_SUB,
      inject: [AppConfig, DATABASE_URL],
      useFactory: (config: AppConfig, databaseUrl: string) =>
        createPubSub({ redisUrl: config.redisUrl, redisChannelPrefix: config.redisChannelPrefix, databaseUrl }),
    },
  ],
  exports: [PUB_SUB],
})
export class PubSubModule implements OnApplicationShutdown {
  constructor(@Inject(PUB_SUB) private readonly pubSub: ClosablePubSub) {}

  // After every module's onModuleDestroy, so last publishes still go out.
  async onApplicationShutdown(): Promise<void> {
    await this.pubSub.close();
  }
}
