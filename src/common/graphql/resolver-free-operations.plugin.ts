import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type { GraphqlRateLimit } from '../throttling/graphql-rate-limit';
import type { GraphqlContext } from './graphql-context';
import { isResolverFreeOperation } from './resolver-free-operation';

/**
 * GRAPHQL_RATE_LIMIT for HTTP operations that run no resolver (`{ __typename }`, introspection):
 * the per-resolver guard never sees them, so they are counted here, once each.
 */
export function resolverFreeOperationsPlugin(rateLimit: GraphqlRateLimit): ApolloServerPlugin<GraphqlContext> {
  return {
    requestDidStart(): Promise<GraphQLRequestListener<GraphqlContext>> {
      return Promise.resolve({
        async didResolveOperation({ document, request, contextValue }) {
          if (isResolverFreeOperation(document, request.operationName)) {
            await rateLimit.take(contextValue);
          }
        },
      });
    },
  };
}
