import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '../common/time/clock';
import { RecipientListRepository } from '../persistence/recipient-list.repository';

const SWEEP_EVERY_MS = 10 * 60_000;
const LISTS_PER_SWEEP = 100;

/** Deletes expired lists (and abandoned uploads, which expire too) every few minutes. */
@Injectable()
export class RecipientListExpiryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RecipientListExpiryService.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly lists: RecipientListRepository,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) {
      clearInterval(this.timer);
    }
  }

  async sweep(): Promise<number> {
    try {
      const deleted = await this.lists.deleteExpired(this.clock.now(), LISTS_PER_SWEEP);
      if (deleted > 0) {
        this.logger.log({ deleted }, 'Expired recipient lists deleted');
      }
      return deleted;
    } catch (error) {
      this.logger.warn({ err: error }, 'Expired recipient lists could not be deleted; retrying later');
      return 0;
    }
  }
}
