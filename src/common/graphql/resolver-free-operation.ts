import { DocumentNode, FragmentDefinitionNode, getOperationAST, Kind, SelectionSetNode } from 'graphql';

/**
 * Whether the operation to run selects only meta fields at its root (`__typename`, `__schema`,
 * `__type`): graphql-js answers those itself, so no resolver, and no guard, ever sees the operation.
 * Fragments are followed where they are spread; the document is already validated (no cycles).
 */
export function isResolverFreeOperation(document: DocumentNode, operationName?: string | null): boolean {
  const operation = getOperationAST(document, operationName);
  if (!operation) {
    return false;
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    }
  }
  const onlyMetaFields = (selectionSet: SelectionSetNode): boolean =>
    selectionSet.selections.every((selection) => {
      if (selection.kind === Kind.FIELD) {
        return selection.name.value.startsWith('__');
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        return onlyMetaFields(selection.selectionSet);
      }
      const fragment = fragments.get(selection.name.value);
      return !fragment || onlyMetaFields(fragment.selectionSet);
    });
  return onlyMetaFields(operation.selectionSet);
}
