import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { closeIdleWorkerPools } from './idle-worker-pool';

/** The worker threads kept warm between large requests go with the service. */
@Injectable()
export class IdleWorkerPoolsShutdown implements OnApplicationShutdown {
  onApplicationShutdown(): Promise<void> {
    return closeIdleWorkerPools();
  }
}
