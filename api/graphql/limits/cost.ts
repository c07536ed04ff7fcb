import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from '../graphql-module.ts';
import { pageSizeDefault } from '../pagination/arguments.ts';

/**
 * Query cost: every field costs 1 for each time it may be resolved. A connection multiplies
 * what is inside it by its page size (first/last, default page size when absent); a plain list
 * by `listSizeAssumed`. So `payments(first: 100) { edges { node { id } } }` costs about 300.
 */
export const listSizeAssumed = 10;

interface Walk {
  schema: GraphQLSchema;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  variables: Readonly<Record<string, unknown>>;
  /** Stops the walk once the budget is exceeded: a huge document costs no more than that. */
  budget: number;
}

function integerArgument(value: ValueNode | undefined, walk: Walk): number | undefined {
  if (!value) return undefined;
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const given = walk.variables[value.name.value];
    return typeof given === 'number' ? given : undefined;
  }
  return undefined;
}

function multiplierOf(
  field: { arguments?: readonly { name: { value: string }; value: ValueNode }[] },
  hasPageArguments: boolean,
  isList: boolean,
  walk: Walk,
): number {
  if (hasPageArguments) {
    const argument = (name: string) =>
      integerArgument(field.arguments?.find((node) => node.name.value === name)?.value, walk);
    const size = argument('first') ?? argument('last') ?? pageSizeDefault;
    // Page sizes above the maximum are refused by the resolver; cost them as asked.
    return Math.max(1, size);
  }
  return isList ? listSizeAssumed : 1;
}

function selectionCost(
  walk: Walk,
  parent: GraphQLCompositeType,
  selectionSet: SelectionSetNode,
  multiplier: number,
  spent: number,
): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (spent + cost > walk.budget) return cost;
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      if (name.startsWith('__')) continue;
      cost += multiplier;
      const definition = isObjectType(parent) ? parent.getFields()[name] : undefined;
      if (!definition || !selection.selectionSet) continue;
      const child = getNamedType(definition.type);
      if (!isCompositeType(child)) continue;
      const hasPageArguments = definition.args.some((argument) => argument.name === 'first');
      // A connection's edges were already multiplied by the page size, on the connection.
      const isEdgeList = parent.name.endsWith('Connection');
      const isList = !isEdgeList && isListType(getNullableType(definition.type));
      const inner = multiplier * multiplierOf(selection, hasPageArguments, isList, walk);
      cost += selectionCost(walk, child, selection.selectionSet, inner, spent + cost);
      continue;
    }
    const fragment =
      selection.kind === Kind.INLINE_FRAGMENT
        ? selection
        : walk.fragments.get(selection.name.value);
    if (!fragment) continue;
    const typeName = fragment.typeCondition?.name.value;
    const type = typeName ? walk.schema.getType(typeName) : parent;
    if (!type || !isCompositeType(type)) continue;
    cost += selectionCost(walk, type, fragment.selectionSet, multiplier, spent + cost);
  }
  return cost;
}

/** The cost of the operation that will run, with its variables; stops counting past budget. */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>>,
  budget: number,
): number {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName
    ? operations.find((definition) => definition.name?.value === operationName)
    : operations[0];
  if (!operation) return 0;
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const fragments = new Map(
    document.definitions
      .filter(
        (definition): definition is FragmentDefinitionNode =>
          definition.kind === Kind.FRAGMENT_DEFINITION,
      )
      .map((definition) => [definition.name.value, definition]),
  );
  return selectionCost(
    { schema, fragments, variables, budget },
    root,
    operation.selectionSet,
    1,
    0,
  );
}
