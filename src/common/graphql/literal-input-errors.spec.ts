import { buildSchema, GraphQLError, parse, validate } from 'graphql';
import { formatLiteralInputError, withInputErrorCode } from './literal-input-errors';

const schema = buildSchema(`
  enum Status { SENT DELIVERED }
  input QuoteInput { text: String!, recipients: [String!], segments: Int }
  type Query { quote(input: QuoteInput!, status: Status, id: ID!): Int, campaigns: Int }
`);

/** What graphql-ws answers for the query's first validation error. */
function refused(query: string): { message: string; code: unknown } {
  const document = parse(query);
  const [error] = validate(schema, document);
  const coded = withInputErrorCode(error, document, false);
  return { message: coded.message, code: coded.extensions.code };
}

describe('validation errors about values written in the query', () => {
  it.each([
    [
      'a scalar of the wrong kind, named by its path',
      '{ quote(input: {text: 5}, id: 1) }',
      'input.text: String cannot represent a non string value: 5',
    ],
    [
      'a list item of the wrong kind',
      '{ quote(input: {text: "x", recipients: [1]}, id: 1) }',
      'input.recipients: String cannot represent a non string value: 1',
    ],
    [
      'a missing required input field',
      '{ quote(input: {segments: 1}, id: 1) }',
      'Field "QuoteInput.text" of required type "String!" was not provided.',
    ],
    [
      'a missing required argument',
      '{ quote(input: {text: "x"}) }',
      'Field "quote" argument "id" of type "ID!" is required, but it was not provided.',
    ],
    [
      'an unknown input field',
      '{ quote(input: {text: "x", bad: 1}, id: 1) }',
      'Field "bad" is not defined by type "QuoteInput".',
    ],
    [
      'an enum value that does not exist',
      '{ quote(input: {text: "x"}, status: BOGUS, id: 1) }',
      'status: Value "BOGUS" does not exist in "Status" enum.',
    ],
  ])('should answer %s as BAD_USER_INPUT', (_what, query, message) => {
    expect(refused(query)).toEqual({ message: expect.stringContaining(message), code: 'BAD_USER_INPUT' });
  });

  it('should leave out "Did you mean" where the schema is hidden', () => {
    const document = parse('{ quote(input: {text: "x"}, status: SENTT, id: 1) }');
    const [error] = validate(schema, document);
    expect(error.message).toMatch(/Did you mean/);
    expect(withInputErrorCode(error, document, true).message).toBe(
      'status: Value "SENTT" does not exist in "Status" enum.',
    );
  });

  it('should leave an error about the query itself as GRAPHQL_VALIDATION_FAILED', () => {
    expect(refused('{ nope }')).toEqual({
      message: 'Cannot query field "nope" on type "Query".',
      code: 'GRAPHQL_VALIDATION_FAILED',
    });
  });

  it("should re-code Apollo's formatted error, naming the field from the original error's document", () => {
    const [error] = validate(schema, parse('{ quote(input: {text: 5}, id: 1) }'));
    const formatted = { message: error.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
    expect(formatLiteralInputError(formatted, error)).toEqual({
      message: 'input.text: String cannot represent a non string value: 5',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const other = {
      message: 'Cannot query field "nope" on type "Query".',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    };
    expect(formatLiteralInputError(other, new GraphQLError(other.message))).toBe(other);
  });
});
