import type { EventStore } from '../eventstore/event-store.ts';
import type { Pool } from '../postgres/pool.ts';
import { PaymentService } from '../write/payment-service.ts';
import { LedgerReader } from './ledger-reader.ts';
import {
  defaultReconcileOptions,
  reconcileReport,
  type ReconcileOptions,
  type ReconcileRequest,
  type ReconcileResult,
} from './reconcile-report.ts';
import {
  resolveException,
  type ResolveExceptionRequest,
  type ResolveExceptionResult,
} from './resolve-exception.ts';

export interface ReconciliationServiceOptions {
  store: EventStore;
  /** The read pool: matching reads the `payments` and `refunds` read models. */
  pool: Pool;
  payments?: PaymentService;
  clock?: () => Date;
  reconcile?: Partial<ReconcileOptions>;
}

/** Reconciliation's front for the GraphQL resolvers and the CLI: one object to wire. */
export class ReconciliationService {
  private readonly store: EventStore;
  private readonly ledger: LedgerReader;
  private readonly payments: PaymentService;
  private readonly clock: () => Date;
  private readonly options: ReconcileOptions;

  constructor(options: ReconciliationServiceOptions) {
    this.store = options.store;
    this.ledger = new LedgerReader(options.pool);
    this.payments = options.payments ?? new PaymentService(options.store);
    this.clock = options.clock ?? (() => new Date());
    this.options = { ...defaultReconcileOptions, ...options.reconcile };
  }

  reconcile(
    request: ReconcileRequest,
    onProgress?: ReconcileOptions['onProgress'],
  ): Promise<ReconcileResult> {
    const dependencies = {
      store: this.store,
      ledger: this.ledger,
      payments: this.payments,
      clock: this.clock,
    };
    const options = onProgress === undefined ? this.options : { ...this.options, onProgress };
    return reconcileReport(dependencies, request, options);
  }

  resolve(request: ResolveExceptionRequest): Promise<ResolveExceptionResult> {
    return resolveException(
      { store: this.store, payments: this.payments, clock: this.clock },
      request,
    );
  }
}
