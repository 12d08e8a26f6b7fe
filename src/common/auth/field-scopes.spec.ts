import { buildSchema, GraphQLError, parse } from 'graphql';
import { assertFieldScopes } from './field-scopes';
import { Scope } from './scope.enum';

const schema = buildSchema(`
  type Message { to: String }
  type MessageConnection { totalCount: Int, edges: [Message] }
  type Campaign { id: ID, status: String, messages: MessageConnection }
  type Query { campaign(id: ID): Campaign }
  type Mutation { pauseCampaign(id: ID): Campaign }
`);
const writer = { accountId: 'a', apiKeyId: 'k', scopes: [Scope.CAMPAIGNS_WRITE] };
const reader = { accountId: 'a', apiKeyId: 'k', scopes: [Scope.CAMPAIGNS_READ, Scope.CAMPAIGNS_WRITE] };

function refusal(document: string, account = writer, operationName?: string): GraphQLError | undefined {
  try {
    assertFieldScopes(schema, parse(document), operationName, account);
    return undefined;
  } catch (error) {
    return error as GraphQLError;
  }
}

describe(assertFieldScopes.name, () => {
  it('should refuse Campaign.messages to a key without campaigns:read, naming the field and the scope', () => {
    const error = refusal('mutation { pauseCampaign(id: "c") { id messages { totalCount } } }');
    expect(error?.message).toBe(
      'Forbidden: this API key lacks the campaigns:read scope, which Campaign.messages needs',
    );
    expect(error?.extensions).toEqual({ code: 'FORBIDDEN', requiredScope: 'campaigns:read' });
  });

  it.each([
    [
      'a named fragment',
      'mutation { pauseCampaign(id: "c") { ...F } } fragment F on Campaign { messages { totalCount } }',
    ],
    [
      'a nested fragment',
      'mutation { pauseCampaign(id: "c") { ...A } } fragment A on Campaign { ...B } fragment B on Campaign { messages { totalCount } }',
    ],
    ['an inline fragment', 'mutation { pauseCampaign(id: "c") { ... on Campaign { messages { totalCount } } } }'],
    ['an alias', 'mutation { pauseCampaign(id: "c") { recipients: messages { totalCount } } }'],
  ])('should find it through %s', (_how, document) => {
    expect(refusal(document)?.extensions).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('should let a key with campaigns:read select it, and anyone select the rest', () => {
    expect(refusal('mutation { pauseCampaign(id: "c") { id messages { totalCount } } }', reader)).toBeUndefined();
    expect(refusal('mutation { pauseCampaign(id: "c") { id status } }')).toBeUndefined();
  });

  it('should judge only the operation that runs, and only the fragments it spreads', () => {
    const document = `mutation Pause { pauseCampaign(id: "c") { id } }
      query Read { campaign(id: "c") { messages { totalCount } } }
      fragment Unused on Campaign { messages { totalCount } }`;
    expect(refusal(document, writer, 'Pause')).toBeUndefined();
    expect(refusal(document, writer, 'Read')?.extensions).toMatchObject({ code: 'FORBIDDEN' });
  });
});
