import type { Resolution, RunState } from '../../domain/reconciliation/index.ts';
import type { EventStore } from '../eventstore/event-store.ts';
import { handleCommand } from '../write/command-handler.ts';
import { loadAggregate } from '../write/aggregate-store.ts';
import type { PaymentService } from '../write/payment-service.ts';
import { applyCompensation } from './compensation.ts';
import { runAggregate } from './run-aggregate.ts';

export interface ResolveExceptionRequest {
  /** The caller's tenant, or '*': another tenant's run is reported as not found. */
  tenantId: string;
  actor: string;
  runId: string;
  exceptionId: string;
  resolution: Resolution;
  note: string;
  /** Request id for the audit metadata. */
  requestId: string;
}

/** A refusal as the GraphQL payload shows it: the domain's codes plus the one below. */
export interface ReconciliationUserError {
  code: string;
  message: string;
  field?: string[];
}

/** The run does not exist, or belongs to another tenant (the two are not told apart). */
export const RUN_NOT_FOUND = 'RECONCILIATION_RUN_NOT_FOUND';

export interface ResolveExceptionResult {
  run: RunState | null;
  errors: ReconciliationUserError[];
}

function notFound(runId: string): ResolveExceptionResult {
  const message = `no reconciliation run ${runId}`;
  return { run: null, errors: [{ code: RUN_NOT_FOUND, message, field: ['input', 'runId'] }] };
}

/**
 * An operator's ruling on an exception, audited on the run's stream. Accepting the provider's
 * figure first applies the exception's proposed command through the payment write path (it is
 * idempotent), then records the ruling with that command; a refusal of either changes nothing
 * and comes back as an error.
 */
export async function resolveException(
  deps: { store: EventStore; payments: PaymentService; clock: () => Date },
  request: ResolveExceptionRequest,
): Promise<ResolveExceptionResult> {
  const loaded = await loadAggregate(deps.store, runAggregate, request.runId);
  const run = loaded.state;
  if (run === undefined || (request.tenantId !== '*' && run.tenantId !== request.tenantId)) {
    return notFound(request.runId);
  }
  const exception = run.exceptions.get(request.exceptionId);
  const at = deps.clock().toISOString();
  const context = {
    tenantId: run.tenantId,
    actor: request.actor,
    source: 'api' as const,
    correlationId: request.requestId,
    causationId: request.requestId,
  };
  const proposal = exception?.proposal ?? null;
  const applies = request.resolution === 'ACCEPT_PROVIDER_FIGURE' && exception?.status === 'OPEN';
  if (applies && proposal !== null) {
    const ledger = { payments: deps.payments, store: deps.store };
    const times = { at, bookedAt: at, runId: request.runId };
    const refusal = await applyCompensation(ledger, context, proposal, times);
    if (refusal !== undefined) return { run, errors: [refusal.error] };
  }
  const outcome = await handleCommand(
    deps.store,
    runAggregate,
    request.runId,
    {
      type: 'ResolveReconciliationException',
      data: {
        runId: request.runId,
        exceptionId: request.exceptionId,
        resolution: request.resolution,
        note: request.note,
        resolvedBy: request.actor,
        compensation: proposal,
        at,
      },
    },
    context,
  );
  if (!outcome.ok) return { run, errors: [outcome.error] };
  return { run: outcome.state, errors: [] };
}
