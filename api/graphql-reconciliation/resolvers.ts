import DataLoader from 'dataloader';
import type { Resolution } from '../../domain/reconciliation/index.ts';
import type { ReportFormat } from '../../domain/reconciliation/index.ts';
import { bytesSource, type ReconciliationService } from '../../infra/reconciliation/index.ts';
import { isPlatformWide, PLATFORM_TENANT } from '../auth/roles.ts';
import type { GraphqlContext } from '../graphql/context.ts';
import { requireRole } from '../graphql/context.ts';
import { BadUserInputError } from '../graphql/errors.ts';
import type { ConnectionArguments } from '../graphql/pagination/arguments.ts';
import type { PaymentView } from '../graphql/views.ts';
import { exceptionsPage, paymentsWithOpenExceptions, runById, runsPage } from './data.ts';
import { uploadedBytes } from './upload.ts';
import type { ExceptionView, RunView } from './views.ts';
import {
  acceptable,
  apiEnum,
  countsView,
  ledgerAmount,
  reportAmount,
  runFromState,
} from './views.ts';

export interface ReconciliationResolverDependencies {
  reconciliation: ReconciliationService;
}

const FORMATS: Readonly<Record<string, ReportFormat>> = {
  STRIPE_BALANCE_CSV: 'stripe_balance_csv',
  LEDGER_CSV: 'ledger_csv',
};

const tenantPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The run's tenant: the key's own, or for a platform key the merchant named (or all). */
function runTenant(context: GraphqlContext, merchantId: string | null | undefined): string {
  const principal = context.principal;
  if (!isPlatformWide(principal)) {
    if (merchantId && merchantId !== principal.tenant) {
      throw new BadUserInputError(
        "merchantId must be omitted or equal to the key's tenant",
        'merchantId',
      );
    }
    return principal.tenant;
  }
  if (!merchantId) return PLATFORM_TENANT;
  if (!tenantPattern.test(merchantId))
    throw new BadUserInputError('merchantId is not a tenant id', 'merchantId');
  return merchantId;
}

/** One query per request level for Payment.settlementStatus, however many payments. */
const openExceptionLoaders = new WeakMap<GraphqlContext, DataLoader<string, boolean>>();

function openExceptionLoader(context: GraphqlContext): DataLoader<string, boolean> {
  let loader = openExceptionLoaders.get(context);
  if (loader === undefined) {
    loader = new DataLoader<string, boolean>(
      async (ids) => {
        const open = await paymentsWithOpenExceptions(
          await context.readModel(),
          context.principal,
          ids,
        );
        return ids.map((id) => open.has(id));
      },
      { maxBatchSize: 500 },
    );
    openExceptionLoaders.set(context, loader);
  }
  return loader;
}

type ReconcileInput = {
  filename: string;
  format: string;
  content?: string | null;
  contentBase64?: string | null;
  merchantId?: string | null;
};

async function reconcileReport(
  dependencies: ReconciliationResolverDependencies,
  input: ReconcileInput,
  context: GraphqlContext,
) {
  requireRole(context, 'operate');
  const format = FORMATS[input.format];
  if (format === undefined) throw new BadUserInputError('unknown format', 'format');
  const fileName = input.filename.trim().slice(0, 255) || 'report.csv';
  const result = await dependencies.reconciliation.reconcile({
    source: bytesSource(fileName, uploadedBytes(input)),
    format,
    tenantId: runTenant(context, input.merchantId),
    actor: `api-key:${context.principal.keyId}`,
  });
  if (result.status === 'REFUSED') {
    const problems = result.problems.map((problem) => ({
      line: problem.lineNumber,
      message: problem.message,
    }));
    const errors = [
      {
        code: 'INVALID_REPORT',
        message: `${result.problemCount} rows do not read; nothing was changed`,
        field: ['input', 'content'],
      },
    ];
    return {
      run: null,
      alreadyReconciled: false,
      problems,
      problemCount: result.problemCount,
      consistencyToken: null,
      errors,
    };
  }
  return {
    run: runFromState(result.run),
    alreadyReconciled: result.alreadyReconciled,
    problems: [],
    problemCount: 0,
    consistencyToken: result.position.toString(),
    errors: [],
  };
}

async function resolveException(
  dependencies: ReconciliationResolverDependencies,
  input: { runId: string; exceptionId: string; resolution: string; note: string },
  context: GraphqlContext,
) {
  requireRole(context, 'operate');
  const result = await dependencies.reconciliation.resolve({
    tenantId: context.principal.tenant,
    actor: `api-key:${context.principal.keyId}`,
    runId: input.runId,
    exceptionId: input.exceptionId,
    resolution: input.resolution as Resolution,
    note: input.note,
    requestId: context.requestId,
  });
  return { run: result.run === null ? null : runFromState(result.run), errors: result.errors };
}

/**
 * Resolvers for reconciliationTypeDefs, to be merged into the main resolver map: Query and
 * Mutation fields next to the others, the type resolvers as they are, and the two Payment
 * fields into the existing Payment resolvers.
 */
export function createReconciliationResolvers(dependencies: ReconciliationResolverDependencies) {
  return {
    Query: {
      reconciliationRuns: async (
        _root: unknown,
        args: ConnectionArguments,
        context: GraphqlContext,
      ) => {
        requireRole(context, 'read');
        return runsPage(await context.readModel(), context.principal, args);
      },
      reconciliationRun: async (_root: unknown, args: { id: string }, context: GraphqlContext) => {
        requireRole(context, 'read');
        return runById(await context.readModel(), context.principal, args.id);
      },
    },
    Mutation: {
      reconcileReport: (_root: unknown, args: { input: ReconcileInput }, context: GraphqlContext) =>
        reconcileReport(dependencies, args.input, context),
      resolveReconciliationException: (
        _root: unknown,
        args: { input: { runId: string; exceptionId: string; resolution: string; note: string } },
        context: GraphqlContext,
      ) => resolveException(dependencies, args.input, context),
    },
    ReconciliationRun: {
      merchantId: (run: RunView) => run.tenantId,
      format: (run: RunView) => apiEnum(run.format),
      counts: (run: RunView) => countsView(run.counts),
      exceptions: async (
        run: RunView,
        args: ConnectionArguments & { status?: string | null; outcome?: string | null },
        context: GraphqlContext,
      ) => {
        requireRole(context, 'read');
        const query = { runId: run.id, status: args.status, outcome: args.outcome?.toLowerCase() };
        return exceptionsPage(await context.readModel(), context.principal, query, args);
      },
    },
    ReconciliationException: {
      outcome: (exception: ExceptionView) => apiEnum(exception.outcome),
      reportAmount,
      ledgerAmount,
      acceptable,
    },
    Payment: {
      settlementStatus: async (payment: PaymentView, _args: unknown, context: GraphqlContext) => {
        if (await openExceptionLoader(context).load(payment.id)) return 'EXCEPTION';
        if (payment.status === 'SETTLED') return 'SETTLED';
        const captured = payment.status === 'CAPTURED' || payment.status === 'PARTIALLY_CAPTURED';
        return captured ? 'AWAITING_SETTLEMENT' : 'NOT_CAPTURED';
      },
      settlementFee: (payment: PaymentView) =>
        payment.status === 'SETTLED' ? payment.feeAmount : null,
    },
  };
}
