import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { WakeableLoop } from '../common/loops/wakeable-loop';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config.service';
import { MessagePartitionRepository } from '../persistence/message-partition.repository';

const DAY_MS = 24 * 3600 * 1000;
// Partitions from the current id on, kept ready: the next one exists long before the ids reach it.
const PARTITIONS_AHEAD = 2;
const ENSURE_EVERY_MS = 10 * 60_000;
// As the retention job: not on boot work.
const FIRST_RETIRE_DELAY_MS = 60_000;

export interface RetireSummary {
  retired: string[];
  /** Retirable, but a lock wait gave up or a message arrived meanwhile: tried again next pass. */
  deferred: string[];
}

/**
 * Keeps "Message" partitions ahead of its ids (on start and every ENSURE_EVERY_MS), and, with
 * MESSAGE_PARTITION_RETENTION_DAYS, detaches and drops once a day the partitions whose campaigns all
 * finished longer ago than that. A partition holding any message of a campaign that is not finished,
 * or finished more recently, is never touched.
 */
@Injectable()
export class MessagePartitionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MessagePartitionService.name);
  private readonly ensureLoop = new WakeableLoop({
    pass: () => this.ensureAndLog(),
    intervalMs: ENSURE_EVERY_MS,
    errorPauseMs: ENSURE_EVERY_MS,
    onError: (error) => this.logger.error(`Creating Message partitions failed: ${String(error)}`),
  });
  private readonly retireLoop = new WakeableLoop({
    pass: () => this.retireAndLog(),
    firstPassAfterMs: FIRST_RETIRE_DELAY_MS,
    intervalMs: DAY_MS,
    errorPauseMs: DAY_MS,
    onError: (error) => this.logger.error(`Retiring Message partitions failed: ${String(error)}`),
  });
  private retiring: Promise<RetireSummary> | undefined;
  private stopped = false;

  constructor(
    private readonly repository: MessagePartitionRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.ensureLoop.start();
    if (this.config.messagePartitions.retentionDays !== undefined) {
      this.retireLoop.start();
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await Promise.all([this.ensureLoop.stop(), this.retireLoop.stop()]);
    await this.retiring?.catch(() => undefined);
  }

  /** Creates the partitions missing ahead of the ids; their names. */
  ensureAhead(): Promise<string[]> {
    return this.repository.ensureAhead(this.config.messagePartitions.size, PARTITIONS_AHEAD);
  }

  /** One retirement pass (tests and the daily timer); passes never overlap. */
  retireOnce(): Promise<RetireSummary> {
    this.retiring ??= this.retire().finally(() => {
      this.retiring = undefined;
    });
    return this.retiring;
  }

  // The loops' passes: false, as nothing waits for them before their next interval.
  private async ensureAndLog(): Promise<boolean> {
    const created = await this.ensureAhead();
    if (created.length > 0) {
      this.logger.log(`Message partitions created: ${created.join(', ')}`);
    }
    return false;
  }

  private async retireAndLog(): Promise<boolean> {
    const summary = await this.retireOnce();
    if (summary.retired.length > 0 || summary.deferred.length > 0) {
      this.logger.log(
        `Message partitions retired: ${summary.retired.join(', ') || 'none'}; deferred: ${summary.deferred.join(', ') || 'none'}`,
      );
    }
    return false;
  }

  private async retire(): Promise<RetireSummary> {
    const { retentionDays, keepDetached } = this.config.messagePartitions;
    const summary: RetireSummary = { retired: [], deferred: [] };
    if (retentionDays === undefined) {
      return summary;
    }
    const cutoff = new Date(this.clock.now().getTime() - retentionDays * DAY_MS);
    for (const partition of await this.repository.list()) {
      if (this.stopped) {
        break;
      }
      const { retirable, maxId } = await this.repository.retirable(partition, cutoff);
      if (!retirable) {
        continue;
      }
      const retired = await this.repository.retire(partition, maxId, keepDetached).catch((error: unknown) => {
        this.logger.warn(`Message partition ${partition.name} not retired this pass: ${String(error)}`);
        return false;
      });
      (retired ? summary.retired : summary.deferred).push(partition.name);
    }
    return summary;
  }
}
