import { Logger } from '@nestjs/common';
import { Client, Pool, PoolConfig } from 'pg';
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
    this.pool ??= guardedPool({ ...this.config, Client: UnreachableMarkingClient }, (error) =>
      this.logger.warn(`Idle ${this.purpose} connection lost: ${error.message}`),
    );
    return this.pool;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.pool?.end();
  }
}

/**
 * A connection that could not be opened says so the way Prisma's driver adapter does (`kind`
 * DatabaseNotReachable), so isDatabaseUnavailable answers 503 for these pools' callers too: the driver
 * rejects with the socket's own error (ECONNREFUSED, a timeout), which on its own could be any host's.
 */
class UnreachableMarkingClient extends Client {
  override connect(): Promise<Client>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<Client> | void {
    if (callback) {
      const done = callback as (error: Error | null | undefined, client?: Client) => void;
      super.connect((error: Error | null, client?: Client) => done(error && markedUnreachable(error), client));
      return;
    }
    return super.connect().catch((error: Error) => {
      throw markedUnreachable(error);
    });
  }
}

type ConnectCallback = ((error: Error) => void) | ((error: null, client: Client) => void);

function markedUnreachable(error: Error): Error {
  return Object.assign(error, { kind: 'DatabaseNotReachable' });
}
