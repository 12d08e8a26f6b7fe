import { buildSchema, parse } from 'graphql';
import { assertWithinQueryLimits } from './query-limits';

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
