import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { RequestDrain } from '../http/request-drain';
import { GraphqlRateLimit } from '../throttling/graphql-rate-limit';
import { GraphqlRequestGate } from './graphql-request-gate';
import { GraphqlWsConnections } from './graphql-ws-connections';

/**
 * How GraphQL requests get in: the HTTP gate before the body parsers, graphql-ws connections, the
 * rate limit over both, and the drain that lets both finish before the service stops.
 */
@Module({
  imports: [AuthModule],
  providers: [GraphqlRequestGate, GraphqlWsConnections, RequestDrain, GraphqlRateLimit],
  exports: [GraphqlRequestGate, GraphqlWsConnections, RequestDrain, GraphqlRateLimit],
})
export class GraphqlTransportModule {}
