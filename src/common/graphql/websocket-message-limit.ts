import { GraphQLModule } from '@nestjs/graphql';
import type { INestApplication } from '@nestjs/common';
import type { WebSocketServer } from 'ws';

interface DriverWithSubscriptions {
  _subscriptionService?: { wss?: WebSocketServer };
}

/**
 * ws accepts messages of up to 100 MiB by default, and graphql-ws reads a whole message before it
 * knows who sent it. The server is created inside @nestjs/apollo with no option for this, so the
 * limit is set on it here, after init. Fails the start, rather than run unprotected, if a
 * library upgrade moves it.
 */
export function limitWebSocketMessageSize(app: INestApplication, maxPayloadBytes: number): void {
  const driver = app.get(GraphQLModule).graphQlAdapter as unknown as DriverWithSubscriptions;
  const server = driver._subscriptionService?.wss;
  if (!server?.options) {
    throw new Error('graphql-ws server not found: cannot limit the size of WebSocket messages');
  }
  server.options.maxPayload = maxPayloadBytes;
}
