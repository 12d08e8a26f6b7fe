import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { Logger } from '@nestjs/common';
import { GraphQLError, GraphQLFormattedError, GraphQLSchema, parse } from 'graphql';
import type { Context, SubscribePayload } from 'graphql-ws';
import { AppConfig } from '../../config/app-config.service';
import { ApiKeyService } from '../auth/api-key.service';
import { API_KEY_HEADER } from '../auth/authenticated-account';
import { ErrorCode } from '../errors/error-code.enum';
import { buildGraphqlContext } from './graphql-context';
import { assertWithinQueryLimits } from './query-limits';
import { queryLimitsPlugin } from './query-limits.plugin';

const logger = new Logger('GraphQL');

export function graphqlConfig(config: AppConfig, apiKeys: ApiKeyService): ApolloDriverConfig {
  const limits = { maxDepth: config.graphql.maxDepth, maxComplexity: config.graphql.maxComplexity };
  let schema: GraphQLSchema | undefined;
  return {
    driver: ApolloDriver,
    autoSchemaFile: true,
    sortSchema: true,
    path: '/graphql',
    playground: false,
    introspection: config.graphql.introspection,
    includeStacktraceInErrorResponses: false,
    context: buildGraphqlContext,
    // Field resolvers' errors go through the same exception filter as root resolvers'.
    fieldResolverEnhancers: ['filters'],
    plugins: [queryLimitsPlugin(limits)],
    transformSchema: (generated: GraphQLSchema) => {
      schema = generated;
      return generated;
    },
    formatError: (formatted: GraphQLFormattedError): GraphQLFormattedError =>
      formatError(formatted, config.isProduction),
    subscriptions: {
      'graphql-ws': {
        // Refuse the connection itself (close code 4403) when the key is missing or wrong.
        onConnect: async (ctx: Context<Record<string, unknown> | undefined>) => {
          const key = ctx.connectionParams?.[API_KEY_HEADER];
          return (await apiKeys.authenticate(typeof key === 'string' ? key : undefined)) !== null;
        },
        // HTTP operations are checked by the Apollo plugin; subscriptions bypass Apollo.
        onSubscribe: (_ctx: Context, _id: string, payload: SubscribePayload) => {
          if (!schema) {
            return undefined;
          }
          try {
            assertWithinQueryLimits(
              schema,
              parse(payload.query),
              payload.operationName,
              payload.variables ?? {},
              limits,
            );
          } catch (error) {
            if (error instanceof GraphQLError) {
              return [error];
            }
            throw error;
          }
          return undefined;
        },
      },
    },
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
