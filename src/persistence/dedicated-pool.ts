import { Logger } from '@nestjs/common';
import { Pool, PoolConfig } from 'pg';
import { guardedPool } from './guarded-pool';

/**
 * A small pg pool of one repository's own, straight to the driver (for hot paths where Prisma's
 * raw-query path costs too much per statement), opened at first use and closed at shutdown.
 */
export class DedicatedPool {
  private pool: Pool | undefined;
  private closed = false;
  private readonly logger: Logger;

  /** `owner` names the repository in errors and logs; `purpose` the connections in the log and in pg_stat_activity. */
  constructor(
    private readonly owner: string,
    private readonly purpose: string,
    private readonly config: PoolConfig,
  ) {
    this.logger = new Logger(owner);
  }

  get(): Pool {
    if (this.closed) {
      throw new Error(`${this.owner} is shut down`);
    }
    this.pool ??= guardedPool(this.config, (error) =>
      this.logger.warn(`Idle ${this.purpose} connection lost: ${error.message}`),
    );
    return this.pool;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.pool?.end();
  }
}
