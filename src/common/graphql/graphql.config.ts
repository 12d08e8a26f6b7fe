import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { Logger } from '@nestjs/common';
import {
  execute,
  ExecutionArgs,
  GraphQLError,
  GraphQLFormattedError,
  GraphQLSchema,
  parse,
  subscribe,
  validate,
} from 'graphql';
import type { Context, SubscribePayload } from 'graphql-ws';
import { AppConfig } from '../../config/app-config.service';
import { parseByteSize } from '../../delivery-reports/webhook-body';
import { ErrorCode } from '../errors/error-code.enum';
import { formatLiteralInputError, withInputErrorCode } from './literal-input-errors';
import { RequestDrain, SHUTTING_DOWN_MESSAGE } from '../http/request-drain';
import { assertFieldScopes } from '../auth/field-scopes';
import { bulkBodyPlugin } from './bulk-body.plugin';
import { fieldScopesPlugin } from './field-scopes.plugin';
import { buildGraphqlContext } from './graphql-context';
import { GraphqlWsConnections, WsContext } from './graphql-ws-connections';
import { DateTimeScalar } from './date-time.scalar';
import { assertWithinQueryLimits } from './query-limits';
import { queryLimitsPlugin } from './query-limits.plugin';
import { isResolverFreeOperation } from './resolver-free-operation';
import { resolverFreeOperationsPlugin } from './resolver-free-operations.plugin';
import { GraphqlRateLimit } from '../throttling/graphql-rate-limit';

const logger = new Logger('GraphQL');

export function graphqlConfig(
  config: AppConfig,
  connections: GraphqlWsConnections,
  drain: RequestDrain,
  rateLimit: GraphqlRateLimit,
): ApolloDriverConfig {
  const { maxDepth, maxComplexity, maxFields, maxTokens, introspection } = config.graphql;
  const limits = { maxDepth, maxComplexity, maxFields };
  // graphql-js stops parsing past maxTokens, so no document costs more than that to parse.
  const parseOptions = { maxTokens };
  let schema: GraphQLSchema | undefined;
  return {
    driver: ApolloDriver,
    autoSchemaFile: true,
    // Times without an offset are refused instead of read in the server's time zone (date-time.scalar.ts).
    buildSchemaOptions: { scalarsMap: [{ type: Date, scalar: DateTimeScalar }] },
    sortSchema: true,
    path: '/graphql',
    playground: false,
    introspection,
    // No "Did you mean …" field suggestions where the schema is not open to introspection.
    hideSchemaDetailsFromClientErrors: !introspection,
    parseOptions,
    includeStacktraceInErrorResponses: false,
    // No client of ours sends persisted queries; Apollo's cache of them answered a hash that did not
    // match its query with INTERNAL_SERVER_ERROR. Off, such a request gets PERSISTED_QUERY_NOT_SUPPORTED.
    persistedQueries: false,
    context: buildGraphqlContext,
    // Field resolvers' errors go through the same exception filter as root resolvers'.
    fieldResolverEnhancers: ['filters'],
    plugins: [
      bulkBodyPlugin(parseByteSize(config.bodyLimit), config.bodyLimit),
      queryLimitsPlugin(limits),
      fieldScopesPlugin(),
      resolverFreeOperationsPlugin(rateLimit),
    ],
    transformSchema: (generated: GraphQLSchema) => {
      schema = generated;
      return generated;
    },
    formatError: (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError =>
      formatError(formatLiteralInputError(formatted, error), config.isProduction),
    subscriptions: {
      'graphql-ws': {
        // Authenticates the connection once (4403 when the key is missing or wrong, 4429 past the limits).
        onConnect: (ctx: Context) => connections.accept(ctx as WsContext),
        // graphql-ws operations bypass Apollo: parsed with the token limit, validated and checked
        // against the query limits (and the rate limit, when no resolver will) here, then executed
        // from these arguments.
        onSubscribe: async (ctx: Context, _id: string, payload: SubscribePayload) => {
          if (drain.isStopping) {
            return [new GraphQLError(SHUTTING_DOWN_MESSAGE, { extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } })];
          }
          const overCap = connections.overSubscriptionCap(ctx as WsContext);
          if (overCap || !schema) {
            return overCap;
          }
          try {
            const document = parse(payload.query, parseOptions);
            const invalid = validate(schema, document);
            if (invalid.length > 0) {
              return invalid.map((error) => withInputErrorCode(error, document, !introspection));
            }
            assertWithinQueryLimits(schema, document, payload.operationName, payload.variables ?? {}, limits);
            assertFieldScopes(
              schema,
              document,
              payload.operationName,
              buildGraphqlContext(ctx as WsContext).req.account,
            );
            if (isResolverFreeOperation(document, payload.operationName)) {
              // No resolver runs, so the guard would not count it (resolver-free-operations.plugin.ts).
              await rateLimit.take(buildGraphqlContext(ctx as WsContext));
            }
            return {
              schema,
              document,
              operationName: payload.operationName,
              variableValues: payload.variables,
            };
          } catch (error) {
            if (error instanceof GraphQLError) {
              return [error];
            }
            throw error;
          }
        },
        ...executionCountedBy(drain),
      },
    },
  };
}

/**
 * graphql-ws's execute and subscribe, counted by the drain: operations in flight finish before the
 * service stops, as HTTP requests do. Nest's type for these options leaves them out, but Nest passes
 * them on to graphql-ws after its own (a test on graphql-ws checks that they are the ones used).
 */
function executionCountedBy(drain: RequestDrain): object {
  return {
    execute: (args: ExecutionArgs) => drain.track(execute(args)),
    subscribe: (args: ExecutionArgs) => drain.track(subscribe(args)),
  };
}

function formatError(formatted: GraphQLFormattedError, isProduction: boolean): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (code === ErrorCode.INTERNAL_SERVER_ERROR && !formatted.extensions?.errorId) {
    // An error that did not pass through our filter (e.g. thrown by a field resolver in Apollo).
    logger.error({ error: formatted.message }, 'Unhandled GraphQL error');
    return isProduction
      ? { message: 'Internal server error', extensions: { code }, path: formatted.path, locations: formatted.locations }
      : formatted;
  }
  return formatted;
}
