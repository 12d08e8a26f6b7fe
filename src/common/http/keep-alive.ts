import type { Server } from 'node:http';

/**
 * Node closes an idle keep-alive connection after 5 s, which clients that reuse connections (HTTP
 * agents, load balancers with a 60 s idle timeout, a report sender) race: a request written as the
 * server closes the socket ends in ECONNRESET. Seen under load on the delivery-report webhook. The
 * server keeps idle connections longer than such clients do, so the client is the one to close.
 */
export function keepConnectionsLongerThanClients(server: Server): void {
  server.keepAliveTimeout = 65_000;
  // Must exceed keepAliveTimeout, or a slow request on a reused socket can be cut off.
  server.headersTimeout = 66_000;
  // close() ends the connections idle at that moment; one answering a request then goes idle and
  // would hold shutdown for the whole keep-alive time. Until the server has closed, idle ones end.
  const close = server.close.bind(server);
  server.close = (callback?: (error?: Error) => void) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    server.once('close', () => clearInterval(sweep));
    return close(callback);
  };
}
