import {
  DocumentNode,
  FragmentDefinitionNode,
  GraphQLError,
  GraphQLSchema,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { ErrorCode } from '../errors/error-code.enum';

export interface QueryLimits {
  maxDepth: number;
  maxComplexity: number;
  /** Field selections, aliases and __typename included, fragments expanded. */
  maxFields: number;
}

/**
 * Rejects an operation that has too many fields, nests deeper or asks for more than the limits,
 * before it runs. (The document's size is bounded earlier, by the parser's token limit.)
 * Depth is counted here (a dozen lines) rather than with graphql-depth-limit, which has not been
 * maintained since 2018; complexity uses graphql-query-complexity with per-field estimates.
 */
export function assertWithinQueryLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined | null,
  variables: Record<string, unknown> | undefined,
  limits: QueryLimits,
): void {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation) {
    return;
  }
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );
  const fields = countFields(operation.selectionSet, fragments, new Set(), limits.maxFields);
  if (fields > limits.maxFields) {
    throw badInput(`query: more than ${limits.maxFields} fields (aliases included)`);
  }
  const depth = selectionDepth(operation.selectionSet, fragments, new Set());
  if (depth > limits.maxDepth) {
    throw badInput(`query: depth ${depth} exceeds the maximum of ${limits.maxDepth}`);
  }
  const complexity = complexityOf(schema, document, operationName, withoutScalarListItems(variables ?? {}));
  if (complexity > limits.maxComplexity) {
    throw badInput(`query: complexity ${complexity} exceeds the maximum of ${limits.maxComplexity}`);
  }
}

/**
 * graphql-query-complexity coerces the variables to their declared types first, and throws a
 * GraphQLError without a code for one that does not fit (`Variable "$first" got invalid value 1.5`).
 * Thrown from a plugin, Apollo answered that with 500 INTERNAL_SERVER_ERROR; it is the client's input.
 */
function complexityOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined | null,
  variables: Record<string, unknown>,
): number {
  try {
    return getComplexity({
      schema,
      query: document,
      operationName: operationName ?? undefined,
      variables,
      estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (error) {
    if (error instanceof GraphQLError && error.extensions.code === undefined) {
      throw badInput(error.message);
    }
    throw error;
  }
}

// No input type of the schema nests anywhere near this; a deeper value is refused before anything walks
// it (one of 3,000 nested lists, 6 KB of JSON, overflowed the stack in the walk below and answered 500).
export const MAX_VARIABLE_DEPTH = 32;

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } } });
}

/**
 * The variables as the complexity estimators need them: lists of scalars emptied. graphql-query-complexity
 * coerces every variable, as execution does again right after, and a sendBulk's 100,000 recipients took
 * ~15 ms of the event loop for a figure no estimator reads: estimates depend on paging arguments
 * (`first`), never on the items of a list of scalars. An empty list is valid wherever a list is.
 */
export function withoutScalarListItems(variables: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const name of Object.keys(variables)) {
    copy[name] = withoutScalarItems(variables[name], name, 1);
  }
  return copy;
}

function withoutScalarItems(value: unknown, variable: string, depth: number): unknown {
  if (value === null || typeof value !== 'object') {
    return value;
  }
  if (depth > MAX_VARIABLE_DEPTH) {
    throw badInput(`Variable "$${variable}": nested deeper than ${MAX_VARIABLE_DEPTH} levels`);
  }
  if (Array.isArray(value)) {
    return value.some((item) => item !== null && typeof item === 'object')
      ? value.map((item) => withoutScalarItems(item, variable, depth + 1))
      : [];
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    copy[key] = withoutScalarItems((value as Record<string, unknown>)[key], variable, depth + 1);
  }
  return copy;
}

function selectionDepth(
  selectionSet: SelectionSetNode | undefined,
  fragments: Map<string, FragmentDefinitionNode>,
  visiting: Set<string>,
): number {
  if (!selectionSet) {
    return 0;
  }
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!selection.name.value.startsWith('__')) {
        deepest = Math.max(deepest, 1 + selectionDepth(selection.selectionSet, fragments, visiting));
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, selectionDepth(selection.selectionSet, fragments, visiting));
    } else {
      const fragment = fragments.get(selection.name.value);
      // A fragment cycle is reported by graphql's own validation; do not recurse forever here.
      if (fragment && !visiting.has(fragment.name.value)) {
        visiting.add(fragment.name.value);
        deepest = Math.max(deepest, selectionDepth(fragment.selectionSet, fragments, visiting));
        visiting.delete(fragment.name.value);
      }
    }
  }
  return deepest;
}

/**
 * Counts field selections as they would execute (each fragment spread expanded where used). Stops
 * once past `max`, so nested fragments that multiply cannot make the count itself expensive.
 */
function countFields(
  selectionSet: SelectionSetNode | undefined,
  fragments: Map<string, FragmentDefinitionNode>,
  visiting: Set<string>,
  max: number,
  counted = 0,
): number {
  if (!selectionSet) {
    return counted;
  }
  let total = counted;
  for (const selection of selectionSet.selections) {
    if (total > max) {
      return total;
    }
    if (selection.kind === Kind.FIELD) {
      total = countFields(selection.selectionSet, fragments, visiting, max, total + 1);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      total = countFields(selection.selectionSet, fragments, visiting, max, total);
    } else {
      const fragment = fragments.get(selection.name.value);
      if (fragment && !visiting.has(fragment.name.value)) {
        visiting.add(fragment.name.value);
        total = countFields(fragment.selectionSet, fragments, visiting, max, total);
        visiting.delete(fragment.name.value);
      }
    }
  }
  return total;
}
