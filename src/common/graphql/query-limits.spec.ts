import { buildSchema, parse } from 'graphql';
import { assertWithinQueryLimits, withoutScalarListItems } from './query-limits';

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
