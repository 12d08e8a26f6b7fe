import { parse } from 'graphql';
import { isResolverFreeOperation } from './resolver-free-operation';

describe(isResolverFreeOperation.name, () => {
  it('should tell operations that select only meta fields at their root', () => {
    expect(isResolverFreeOperation(parse('{ __typename }'))).toBe(true);
    expect(isResolverFreeOperation(parse('{ a: __typename b: __typename }'))).toBe(true);
    expect(isResolverFreeOperation(parse('query { __schema { types { name } } __type(name: "Query") { name } }'))).toBe(
      true,
    );
    expect(
      isResolverFreeOperation(parse('{ ... on Query { __typename } ...F } fragment F on Query { __typename }')),
    ).toBe(true);
  });

  it('should not count an operation with a root field that has a resolver, however it is reached', () => {
    expect(isResolverFreeOperation(parse('{ __typename campaigns { pageInfo { hasNextPage } } }'))).toBe(false);
    expect(isResolverFreeOperation(parse('{ ... on Query { campaigns { totalCount } } }'))).toBe(false);
    expect(isResolverFreeOperation(parse('{ ...F } fragment F on Query { __typename campaigns { totalCount } }'))).toBe(
      false,
    );
    expect(isResolverFreeOperation(parse('mutation { pauseCampaign(id: "x") { id } }'))).toBe(false);
  });

  it('should judge the operation named, and none when the name matches nothing', () => {
    const document = parse('query A { __typename } query B { campaigns { totalCount } }');
    expect(isResolverFreeOperation(document, 'A')).toBe(true);
    expect(isResolverFreeOperation(document, 'B')).toBe(false);
    expect(isResolverFreeOperation(document, 'C')).toBe(false);
    expect(isResolverFreeOperation(document)).toBe(false);
  });
});
