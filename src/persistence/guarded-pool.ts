import { ClientBase, Pool, PoolConfig } from 'pg';

// pg-pool awaits the promise `onConnect` returns before it hands the connection out (index.js,
// `_promiseTry`); @types/pg declares the hook as returning void.
type AwaitedOnConnect = Omit<PoolConfig, 'onConnect'> & { onConnect: (client: ClientBase) => Promise<void> };

/**
 * The first statement of every connection. PostgreSQL compiles a statement with LLVM when its estimated
 * cost passes `jit_above_cost` (on by default), again at every execution: prepared statements keep their
 * plan, not the compiled code. The intake's statement, whose plan one connection had estimated at
 * 135,175, compiled 262 functions at every execution: 100-175 ms a statement that otherwise takes a few,
 * and a drain of 100,000 fell minutes behind its status callbacks (README, "Callbacks behind a drain").
 * JIT pays off on long analytical scans, which this service does not run. A SET rather than the startup
 * `options` parameter, which PgBouncer refuses unless it is told to ignore it.
 */
export const SESSION_SETUP_SQL = 'SET jit = off';

/**
 * A pg Pool none of whose connections can end the process. A connection killed by the server (a
 * restart, a failover, an idle reaper) emits 'error' — sometimes twice, and at moments when neither
 * pg-pool nor the driver adapter listens (a checked-out client between queries). Unhandled, that
 * event is thrown and ends the process. Every connection gets a listener of its own when it opens:
 * the failure still reaches whoever runs a query on it, and pg-pool still discards it.
 * Every connection runs SESSION_SETUP_SQL before the pool hands it out (pg-pool awaits `onConnect`); a
 * connection on which it fails is closed and the checkout fails, as when connecting fails.
 */
export function guardedPool(config: PoolConfig, onIdleError: (error: Error) => void): Pool {
  const withSetup: AwaitedOnConnect = {
    ...config,
    onConnect: async (client) => {
      await client.query(SESSION_SETUP_SQL);
    },
  };
  const pool = new Pool(withSetup);
  pool.on('connect', (client) => client.on('error', () => undefined));
  pool.on('error', onIdleError);
  return pool;
}
