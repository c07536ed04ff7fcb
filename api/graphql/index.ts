export { createGraphqlRouter, type GraphqlRouterDependencies } from './router.ts';
export type { ProjectionsApi } from './context.ts';
export type { WaitForPosition } from './consistency.ts';
export { defaultQueryLimits, type QueryLimits } from './limits/plugin.ts';
export { pageSizeDefault, pageSizeMax } from './pagination/arguments.ts';
