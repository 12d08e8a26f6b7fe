import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { assertFieldScopes } from '../auth/field-scopes';
import type { GraphqlContext } from './graphql-context';

/** Applies the fields' own scopes (src/common/auth/field-scopes.ts) to every HTTP operation, before execution. */
export function fieldScopesPlugin(): ApolloServerPlugin<GraphqlContext> {
  return {
    requestDidStart(): Promise<GraphQLRequestListener<GraphqlContext>> {
      return Promise.resolve({
        didResolveOperation({ request, document, schema, contextValue }) {
          assertFieldScopes(schema, document, request.operationName, contextValue.req.account);
          return Promise.resolve();
        },
      });
    },
  };
}
