export { reconciliationTypeDefs } from './schema.ts';
export {
  createReconciliationResolvers,
  type ReconciliationResolverDependencies,
} from './resolvers.ts';
export { UPLOAD_BYTES_MAX } from './upload.ts';
