import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { GraphqlRequestGate } from './graphql-request-gate';
import { GraphqlWsConnections } from './graphql-ws-connections';

/** How GraphQL requests get in: the HTTP gate before the body parsers, and graphql-ws connections. */
@Module({
  imports: [AuthModule],
  providers: [GraphqlRequestGate, GraphqlWsConnections],
  exports: [GraphqlRequestGate, GraphqlWsConnections],
})
export class GraphqlTransportModule {}
