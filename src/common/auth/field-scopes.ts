import {
  DocumentNode,
  FragmentDefinitionNode,
  getNamedType,
  getOperationAST,
  GraphQLError,
  GraphQLSchema,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { AuthenticatedAccount } from './authenticated-account';
import { Scope } from './scope.enum';

/**
 * Fields that need a scope of their own wherever they are selected, also below a mutation's answer:
 * `pauseCampaign(id) { messages { … } }` would otherwise hand a campaigns:write key, which may not read
 * campaigns, the recipients of any campaign of its account and what became of each.
 */
export const FIELD_SCOPES: ReadonlyMap<string, Scope> = new Map([['Campaign.messages', Scope.CAMPAIGNS_READ]]);

/**
 * Refuses, before anything runs, an operation that selects a field of FIELD_SCOPES its key lacks the
 * scope for: FORBIDDEN naming the field and the scope. Checked before execution rather than in the
 * resolver, where the error would null the mutation's whole answer after the mutation took effect (a
 * client could not tell that its campaign had been created). Fragments are followed where spread.
 */
export function assertFieldScopes(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  account: AuthenticatedAccount | undefined,
): void {
  const operation = getOperationAST(document, operationName);
  if (!operation || !account) {
    return;
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    }
  }
  const pending: Array<typeof operation | FragmentDefinitionNode> = [operation];
  const visited = new Set<string>();
  while (pending.length > 0) {
    const typeInfo = new TypeInfo(schema);
    visit(
      pending.pop()!,
      visitWithTypeInfo(typeInfo, {
        Field(field) {
          const parent = typeInfo.getParentType();
          const required = parent && FIELD_SCOPES.get(`${getNamedType(parent).name}.${field.name.value}`);
          if (required && !account.scopes.includes(required)) {
            throw new GraphQLError(
              `Forbidden: this API key lacks the ${required} scope, which ${parent.name}.${field.name.value} needs`,
              { nodes: [field], extensions: { code: 'FORBIDDEN', requiredScope: required } },
            );
          }
        },
        FragmentSpread(spread) {
          const fragment = fragments.get(spread.name.value);
          if (fragment && !visited.has(spread.name.value)) {
            visited.add(spread.name.value);
            pending.push(fragment);
          }
        },
      }),
    );
  }
}
