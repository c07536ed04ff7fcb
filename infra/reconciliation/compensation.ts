import type { PaymentCommand } from '../../domain/payment/index.ts';
import { parseCurrencyCode } from '../../domain/money/index.ts';
import type { Compensation, LineDecision, ReportLine } from '../../domain/reconciliation/index.ts';
import { matchLine } from '../../domain/reconciliation/index.ts';
import type { UserError } from '../write/payment-service.ts';
import type { Caller, PaymentService } from '../write/payment-service.ts';
import type { MatchedLine } from './batch-matcher.ts';
import { ledgerPaymentFromState } from './ledger-state.ts';

/** The payment command a compensation stands for; `at` dates refunds and dispute rulings. */
export function commandFor(compensation: Compensation, at: string): PaymentCommand {
  switch (compensation.kind) {
    case 'settle': {
      const currency = parseCurrencyCode(compensation.currency);
      if (!currency.ok)
        throw new Error(`a recorded settlement has currency ${compensation.currency}`);
      return {
        type: 'SettlePayment',
        data: {
          paymentId: compensation.paymentId,
          settlementId: compensation.settlementId,
          amount: { amount: BigInt(compensation.amount), currency: currency.value },
          fee: { amount: BigInt(compensation.fee), currency: currency.value },
          at: compensation.settledAt,
        },
      };
    }
    case 'complete_refund':
      return { type: 'CompleteRefund', data: { ...withoutKind(compensation), at } };
    case 'resolve_dispute':
      return { type: 'ResolveDispute', data: { ...withoutKind(compensation), at } };
  }
}

function withoutKind<Value extends { kind: string }>(value: Value): Omit<Value, 'kind'> {
  const { kind: _kind, ...rest } = value;
  return rest;
}

/** Runs one compensation through the payment write path; the refusal when it is declined. */
export async function applyCompensation(
  payments: PaymentService,
  caller: Caller,
  compensation: Compensation,
  at: string,
): Promise<UserError | undefined> {
  const outcome = await payments.execute(caller, commandFor(compensation, at));
  return outcome.ok ? undefined : outcome.error;
}

/**
 * A refused compensation is decided again against the payment's own stream: the read model may
 * lag (a webhook settled it a moment ago). Already in step → matched; otherwise the fresh
 * decision, or a status mismatch that quotes the refusal.
 */
async function redecide(
  payments: PaymentService,
  tenantId: string,
  line: ReportLine,
  refusal: UserError,
): Promise<LineDecision> {
  const paymentId = line.paymentId;
  const loaded = paymentId === null ? undefined : await payments.load(tenantId, paymentId);
  const fresh =
    loaded === undefined
      ? undefined
      : matchLine(line, {
          kind: 'found',
          payment: ledgerPaymentFromState(loaded.state),
          matchedBy: 'reference',
        });
  if (fresh !== undefined && (fresh.outcome !== 'matched' || fresh.compensation === null))
    return fresh;
  return {
    outcome: 'status_mismatch',
    paymentId,
    compensation: null,
    proposal: null,
    reason: `the ledger refused the compensation: ${refusal.code} ${refusal.message}`,
    ledger: fresh?.ledger ?? null,
  };
}

export interface CompensationContext {
  payments: PaymentService;
  /** The run's caller; each command names its line as the causation. */
  caller: Caller;
  concurrency: number;
}

/**
 * Applies the matched lines' commands, `concurrency` at a time; replaces the decision of any
 * line whose command the ledger refused. Commands are idempotent (the settlement id is the
 * line id), so a rerun after a crash applies nothing twice.
 */
export async function compensate(
  matched: MatchedLine[],
  context: CompensationContext,
): Promise<void> {
  const pending = matched.filter(
    (item) => item.line !== null && item.decision.compensation !== null,
  );
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < pending.length; index = next++) {
      const item = pending[index];
      const line = item?.line;
      const compensation = item?.decision.compensation;
      if (item === undefined || !line || !compensation) continue;
      const caller = {
        ...context.caller,
        causationId: `${context.caller.correlationId}:${line.lineId}`,
      };
      const refusal = await applyCompensation(
        context.payments,
        caller,
        compensation,
        line.occurredAt,
      );
      if (refusal === undefined) continue;
      const scoped = { ...line, paymentId: compensation.paymentId };
      item.decision = await redecide(context.payments, context.caller.tenantId, scoped, refusal);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, context.concurrency) }, worker));
}
