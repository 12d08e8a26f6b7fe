import { Pool, PoolConfig } from 'pg';

/**
 * A pg Pool none of whose connections can end the process. A connection killed by the server (a
 * restart, a failover, an idle reaper) emits 'error' — sometimes twice, and at moments when neither
 * pg-pool nor the driver adapter listens (a checked-out client between queries). Unhandled, that
 * event is thrown and ends the process. Every connection gets a listener of its own when it opens:
 * the failure still reaches whoever runs a query on it, and pg-pool still discards it.
 */
export function guardedPool(config: PoolConfig, onIdleError: (error: Error) => void): Pool {
  const pool = new Pool(config);
  pool.on('connect', (client) => client.on('error', () => undefined));
  pool.on('error', onIdleError);
  return pool;
}
