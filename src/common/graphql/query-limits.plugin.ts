import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { assertWithinQueryLimits, QueryLimits } from './query-limits';

/** Applies the depth and complexity limits to every HTTP operation, after parsing, before execution. */
export function queryLimitsPlugin(limits: QueryLimits): ApolloServerPlugin {
  return {
    requestDidStart(): Promise<GraphQLRequestListener<object>> {
      return Promise.resolve({
        didResolveOperation({ request, document, schema }) {
          assertWithinQueryLimits(schema, document, request.operationName, request.variables, limits);
          return Promise.resolve();
        },
      });
    },
  };
}
