export { ReconciliationService, type ReconciliationServiceOptions } from './service.ts';
export {
  defaultReconcileOptions,
  type ReconcileOptions,
  type ReconcileRequest,
  type ReconcileResult,
} from './reconcile-report.ts';
export {
  RUN_NOT_FOUND,
  type ReconciliationUserError,
  type ResolveExceptionRequest,
  type ResolveExceptionResult,
} from './resolve-exception.ts';
export { bytesSource, fileSource, type ReportSource } from './report-source.ts';
export { validateReport, PROBLEMS_LISTED_MAX, type LineProblem } from './report-reader.ts';
export { deriveRunId, runAggregate } from './run-aggregate.ts';
export { RunInProgressError } from './run-writer.ts';
