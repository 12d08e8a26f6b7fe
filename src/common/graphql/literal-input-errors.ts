import { ASTNode, BREAK, DocumentNode, GraphQLError, GraphQLFormattedError, Kind, parse, visit } from 'graphql';
import { ErrorCode } from '../errors/error-code.enum';

const VALIDATION_FAILED = 'GRAPHQL_VALIDATION_FAILED';

// What graphql-js's ValuesOfCorrectTypeRule and ProvidedRequiredArgumentsRule report: a value written in the
// query that its argument or field does not take. The same value sent as a variable is BAD_USER_INPUT (Apollo
// coerces variables as input); graphql-js gives these no code of their own, so they are told by their messages.
const INPUT_VALUE_MESSAGES = [
  /^Expected value of type "/,
  /^Field "[^"]+" of required type "[^"]+" was not provided\./,
  /^Field "[^"]+" is not defined by type "[^"]+"\./,
  /^Field "[^"]+" argument "[^"]+" of type "[^"]+" is required, but it was not provided\./,
  /^Value "[^"]*" does not exist in "\w+" enum\./,
  // A scalar's or enum's own refusal ("String cannot represent a non string value: 5").
  /^(\w+|Enum "\w+") cannot represent /,
];

/** Whether a validation error is about a value written in the query (input), not about its shape. */
export function isLiteralInputError(message: string): boolean {
  return INPUT_VALUE_MESSAGES.some((pattern) => pattern.test(message));
}

/**
 * The argument and input fields that hold `target` in the document ("input.text"), or null: a scalar's
 * refusal names only the value, and the contract has every input error name its field.
 */
export function inputPathOf(document: DocumentNode, target: ASTNode): string | null {
  const start = target.loc?.start;
  if (start === undefined) {
    return null;
  }
  const names: string[] = [];
  let path: string | null = null;
  visit(document, {
    enter(node) {
      if (node.kind === Kind.ARGUMENT || node.kind === Kind.OBJECT_FIELD) {
        names.push(node.name.value);
      } else if (node.kind === target.kind && node.loc?.start === start) {
        path = names.length > 0 ? names.join('.') : null;
        return BREAK;
      }
      return undefined;
    },
    leave(node) {
      if (node.kind === Kind.ARGUMENT || node.kind === Kind.OBJECT_FIELD) {
        names.pop();
      }
    },
  });
  return path;
}

/**
 * `message` (the error's, or Apollo's formatted one: without "Did you mean" where the schema is hidden),
 * prefixed with the path of the value the error is about when it does not quote a name itself.
 */
function namingTheField(message: string, error: GraphQLError, document: DocumentNode | undefined): string {
  const node = error.nodes?.[0];
  if (message.startsWith('Field "') || !node || !document) {
    return message;
  }
  const path = inputPathOf(document, node);
  return path ? `${path}: ${message}` : message;
}

/**
 * A graphql-ws validation error with the code and message an HTTP client gets for it: without "Did you
 * mean …" when `hideSuggestions` (as Apollo's hideSchemaDetailsFromClientErrors does over HTTP).
 */
export function withInputErrorCode(
  error: GraphQLError,
  document: DocumentNode,
  hideSuggestions: boolean,
): GraphQLError {
  const input = isLiteralInputError(error.message);
  const message = hideSuggestions ? error.message.replace(/ ?Did you mean(.+?)\?$/, '') : error.message;
  return new GraphQLError(input ? namingTheField(message, error, document) : message, {
    nodes: error.nodes,
    extensions: { ...error.extensions, code: input ? ErrorCode.BAD_USER_INPUT : VALIDATION_FAILED },
  });
}

/** Apollo's formatted validation error, as BAD_USER_INPUT naming its field when it is about a written value. */
export function formatLiteralInputError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (formatted.extensions?.code !== VALIDATION_FAILED || !isLiteralInputError(formatted.message)) {
    return formatted;
  }
  const original = error instanceof GraphQLError ? error : undefined;
  return {
    ...formatted,
    message: original ? namingTheField(formatted.message, original, documentOf(original)) : formatted.message,
    extensions: { ...formatted.extensions, code: ErrorCode.BAD_USER_INPUT },
  };
}

/** The document the error was found in (parsed again: this runs only for a refused query). */
function documentOf(error: GraphQLError): DocumentNode | undefined {
  const body = error.source?.body;
  if (!body) {
    return undefined;
  }
  try {
    return parse(body, { noLocation: false });
  } catch {
    return undefined;
  }
}
