import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { GraphQLError, Kind, OperationDefinitionNode } from 'graphql';
import type { ParsedBodyRequest } from '../http/request-body-parsers';
import { ErrorCode } from '../errors/error-code.enum';
import type { GraphqlContext } from './graphql-context';

/**
 * The operations whose input can be large (a recipient list): the only ones given BULK_BODY_LIMIT.
 * A large body may reach their resolvers with `input.recipients` cut to its first item (the rest kept
 * out of GraphQL's coercion, see bulk-recipients.ts): a resolver of a field named here must take the
 * list through `withBulkRecipients(input, req)`.
 */
export const BULK_BODY_FIELDS: ReadonlySet<string> = new Set(['sendBulk', 'quote']);

/**
 * An authenticated request may bring a body up to BULK_BODY_LIMIT, but only for sendBulk and
 * quote: any other operation whose body was over BODY_LIMIT is refused (413) before it runs.
 */
export function bulkBodyPlugin(bodyLimitBytes: number, bodyLimit: string): ApolloServerPlugin<GraphqlContext> {
  return {
    requestDidStart(): Promise<GraphQLRequestListener<GraphqlContext>> {
      return Promise.resolve({
        didResolveOperation({ contextValue, operation }) {
          const bodyBytes = (contextValue.req as ParsedBodyRequest).bodyBytes ?? 0;
          if (bodyBytes > bodyLimitBytes && !(operation && onlyBulkFields(operation))) {
            throw new GraphQLError(
              `body: ${bodyBytes} bytes is over ${bodyLimit}; only ${[...BULK_BODY_FIELDS].join(' and ')} accept more`,
              { extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 413 } } },
            );
          }
          return Promise.resolve();
        },
      });
    },
  };
}

function onlyBulkFields(operation: OperationDefinitionNode): boolean {
  return operation.selectionSet.selections.every(
    (selection) =>
      selection.kind === Kind.FIELD &&
      (BULK_BODY_FIELDS.has(selection.name.value) || selection.name.value === '__typename'),
  );
}
