import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type SelectionSetNode,
  type ValidationContext,
} from '../graphql-module.ts';

/** Introspection (GraphiQL's own query nests ofType deeply) is not what the limit is for. */
function isIntrospectionField(name: string): boolean {
  return name.startsWith('__');
}

/**
 * Nesting of a selection set, following fragments. A fragment already on the path is not
 * followed again (cycles are reported by graphql's own NoFragmentCycles rule).
 */
function depthOf(
  context: ValidationContext,
  selectionSet: SelectionSetNode | undefined,
  path: ReadonlySet<string>,
  stopAt: number,
): number {
  if (!selectionSet || stopAt <= 0) return 0;
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    let depth = 0;
    if (selection.kind === Kind.FIELD) {
      if (isIntrospectionField(selection.name.value)) continue;
      depth = selection.selectionSet
        ? 1 + depthOf(context, selection.selectionSet, path, stopAt - 1)
        : 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      depth = depthOf(context, selection.selectionSet, path, stopAt);
    } else {
      const name = selection.name.value;
      const fragment = context.getFragment(name);
      if (!fragment || path.has(name)) continue;
      depth = depthOf(context, fragment.selectionSet, new Set([...path, name]), stopAt);
    }
    deepest = Math.max(deepest, depth);
  }
  return deepest;
}

/** A validation rule: operations nested deeper than `depthMax` fields are refused. */
export function depthLimitRule(depthMax: number) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      // Counting stops just past the limit, so a huge document costs no more than that.
      const depth = depthOf(context, operation.selectionSet, new Set(), depthMax + 1);
      if (depth > depthMax) {
        context.reportError(
          new GraphQLError(`the query is nested deeper than ${depthMax} levels`, {
            nodes: [operation],
            extensions: { code: 'QUERY_TOO_DEEP', depthMax },
          }),
        );
      }
    },
  });
}
