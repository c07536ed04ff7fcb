import { GraphQLError, NoSchemaIntrospectionCustomRule } from '../graphql-module.ts';
import type { Plugin } from 'graphql-yoga';
import { operationCost } from './cost.ts';
import { depthLimitRule } from './depth.ts';

export interface QueryLimits {
  /** Deepest field nesting allowed (introspection fields are not counted). */
  depthMax: number;
  /** Largest cost allowed (see cost.ts). */
  costMax: number;
  introspection: boolean;
}

export const defaultQueryLimits: QueryLimits = {
  depthMax: 10,
  costMax: 50_000,
  introspection: true,
};

/**
 * Depth is a validation rule (cached with the document); cost needs the variables, so it is
 * checked just before execution. Page sizes are checked by the resolvers themselves.
 */
export function queryLimitsPlugin(limits: QueryLimits): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(depthLimitRule(limits.depthMax));
      if (!limits.introspection) addValidationRule(NoSchemaIntrospectionCustomRule);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const cost = operationCost(
        args.schema,
        args.document,
        args.operationName,
        args.variableValues ?? {},
        limits.costMax,
      );
      if (cost > limits.costMax) {
        setResultAndStopExecution({
          errors: [
            new GraphQLError(
              `the query may resolve more than ${limits.costMax} fields; ask for smaller pages or fewer nested lists`,
              { extensions: { code: 'QUERY_TOO_COMPLEX', costMax: limits.costMax } },
            ),
          ],
        });
      }
    },
  };
}
