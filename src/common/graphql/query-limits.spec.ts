import { buildSchema, GraphQLError, parse } from 'graphql';
import { assertWithinQueryLimits, MAX_VARIABLE_DEPTH, withoutScalarListItems } from './query-limits';

describe(assertWithinQueryLimits.name, () => {
  const schema = buildSchema('type Item { a: Int b: Int } type Query { item: Item items: [Item] }');
  const limits = { maxDepth: 5, maxComplexity: 10_000, maxFields: 10 };
  const check = (query: string) => () => assertWithinQueryLimits(schema, parse(query), undefined, {}, limits);

  it('should count aliases and __typename as fields', () => {
    const aliases = Array.from({ length: 11 }, (_, i) => `a${i}: __typename`).join(' ');
    expect(check(`{ ${aliases} }`)).toThrow('query: more than 10 fields (aliases included)');
    expect(check(`{ ${aliases.split(' a10')[0]} }`)).not.toThrow();
  });

  it('should count a fragment once per place it is spread', () => {
    const fragment = 'fragment F on Item { a b }';
    // Each aliased item with the fragment is 3 fields: 3 of them (9) are within, 4 (12) are not.
    const items = (count: number) => Array.from({ length: count }, (_, i) => `i${i}: item { ...F }`).join(' ');
    expect(check(`${fragment} { ${items(3)} }`)).not.toThrow();
    expect(check(`${fragment} { ${items(4)} }`)).toThrow('query: more than 10 fields (aliases included)');
  });
});

describe('complexity with lists of scalars', () => {
  const schema = buildSchema(`
    input Send { recipients: [String!]! text: String! }
    type Page { a: Int }
    type Query { page(first: Int, ids: [ID!]): [Page] }
    type Mutation { send(input: Send!): Int }`);
  const limits = { maxDepth: 5, maxComplexity: 10, maxFields: 10 };

  it('should accept an operation whose variables hold a large list of scalars, leaving them as they are', () => {
    const recipients = Array.from({ length: 100_000 }, (_, i) => `+1415${2000000 + i}`);
    const run = () =>
      assertWithinQueryLimits(
        schema,
        parse('mutation($input: Send!) { send(input: $input) }'),
        undefined,
        { input: { recipients, text: 'hi' } },
        limits,
      );
    expect(run).not.toThrow();
    expect(recipients).toHaveLength(100_000); // the caller's variables are left as they are
  });

  it('should keep the scalars that estimates read (paging arguments) and lists of objects', () => {
    expect(withoutScalarListItems({ first: 20, ids: ['a', 'b'], input: { rows: [{ tags: ['x'] }], n: null } })).toEqual(
      { first: 20, ids: [], input: { rows: [{ tags: [] }], n: null } },
    );
  });
});

describe('variables that do not fit', () => {
  const schema = buildSchema('type Page { a: Int } type Query { page(first: Int): [Page] }');
  const limits = { maxDepth: 5, maxComplexity: 100, maxFields: 10 };
  const run = (variables: Record<string, unknown>, query = 'query($first: Int) { page(first: $first) { a } }') => {
    try {
      assertWithinQueryLimits(schema, parse(query), undefined, variables, limits);
      return undefined;
    } catch (error) {
      return error as GraphQLError;
    }
  };

  it("should refuse a variable of the wrong type as the client's input (BAD_USER_INPUT, 400), naming it", () => {
    const error = run({ first: 1.5 });
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error!.message).toContain('Variable "$first" got invalid value 1.5');
    expect(error!.extensions).toEqual({ code: 'BAD_USER_INPUT', http: { status: 400 } });
    expect(run({})).toBeUndefined();
  });

  it('should refuse a variable nested deeper than the limit without overflowing the stack, even an unused one', () => {
    let deep: unknown = [];
    for (let i = 0; i < 10_000; i++) {
      deep = [deep];
    }
    const error = run({ x: deep });
    expect(error!.message).toBe(`Variable "$x": nested deeper than ${MAX_VARIABLE_DEPTH} levels`);
    expect(error!.extensions.code).toBe('BAD_USER_INPUT');
    let within: unknown = { leaf: 1 };
    for (let i = 1; i < MAX_VARIABLE_DEPTH; i++) {
      within = { within };
    }
    expect(run({ x: within })).toBeUndefined();
  });
});
