import type { PaymentCommand } from '../../domain/payment/index.ts';
import { parseCurrencyCode } from '../../domain/money/index.ts';
import type {
  Compensation,
  LineBooking,
  LineDecision,
  ReportLine,
} from '../../domain/reconciliation/index.ts';
import { bookingKey, ledgerEvidence, matchLine } from '../../domain/reconciliation/index.ts';
import { assertNever } from '../../domain/errors.ts';
import type { EventStore } from '../eventstore/event-store.ts';
import { handleCommand } from '../write/command-handler.ts';
import { bookingAggregate } from './booking-aggregate.ts';
import type { UserError } from '../write/payment-service.ts';
import type { Caller, PaymentService } from '../write/payment-service.ts';
import type { MatchedLine } from './batch-matcher.ts';
import { ledgerPaymentFromState } from './ledger-state.ts';

/** Where compensations go: the payment write path, and the provider-line bookings. */
export interface LedgerWriter {
  payments: PaymentService;
  store: EventStore;
}

function settleCommand(compensation: Extract<Compensation, { kind: 'settle' }>): PaymentCommand {
  const currency = parseCurrencyCode(compensation.currency);
  if (!currency.ok) throw new Error(`a recorded settlement has currency ${compensation.currency}`);
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

/**
 * The payment command a compensation needs first, if any; `at` dates refunds and dispute
 * rulings (the line's date).
 */
export function paymentCommandFor(compensation: Compensation, at: string): PaymentCommand | null {
  switch (compensation.kind) {
    case 'settle':
      return settleCommand(compensation);
    case 'complete_refund':
      return { type: 'CompleteRefund', data: { ...withoutKind(compensation), at } };
    case 'resolve_dispute':
      return { type: 'ResolveDispute', data: { ...withoutKind(compensation), at } };
    case 'book_refund': {
      const { paymentId, refundId } = compensation;
      return compensation.complete
        ? { type: 'CompleteRefund', data: { paymentId, refundId, at } }
        : null;
    }
    case 'book_dispute': {
      const { paymentId, disputeId, resolve } = compensation;
      return resolve === null
        ? null
        : { type: 'ResolveDispute', data: { paymentId, disputeId, outcome: resolve, at } };
    }
    case 'book_payout':
      return null;
    default:
      return assertNever(compensation, 'compensation');
  }
}

/** The provider line a compensation books, if any. */
export function bookingFor(compensation: Compensation): LineBooking | null {
  return 'booking' in compensation ? compensation.booking : null;
}

function withoutKind<Value extends { kind: string }>(value: Value): Omit<Value, 'kind'> {
  const { kind: _kind, ...rest } = value;
  return rest;
}

/** What a compensation was refused by: the payment's decider, or the line's booking. */
export type CompensationRefusal = { by: 'payment' | 'booking'; error: UserError };

/**
 * Runs one compensation: its payment command through the payment write path, then its booking
 * on the movement's own stream (read → decide → append, so it is booked once whoever asks). Both steps are idempotent, so a rerun after a crash between them completes the second.
 */
export async function applyCompensation(
  ledger: LedgerWriter,
  caller: Caller,
  compensation: Compensation,
  times: { at: string; bookedAt: string; runId: string },
): Promise<CompensationRefusal | undefined> {
  const command = paymentCommandFor(compensation, times.at);
  if (command !== null) {
    const outcome = await ledger.payments.execute(caller, command);
    if (!outcome.ok) return { by: 'payment', error: outcome.error };
  }
  const booking = bookingFor(compensation);
  if (booking === null) return undefined;
  const outcome = await handleCommand(
    ledger.store,
    bookingAggregate,
    bookingKey(booking),
    { type: 'BookProviderLine', data: { ...booking, runId: times.runId, at: times.bookedAt } },
    { ...caller, tenantId: booking.tenantId },
  );
  return outcome.ok ? undefined : { by: 'booking', error: outcome.error };
}

/**
 * A payment command the ledger refused is decided again against the payment's own stream: the
 * read model may lag (a webhook settled it a moment ago). Already in step → matched; otherwise
 * the fresh decision, or a status mismatch that quotes the refusal.
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
  const stillNeedsPayment =
    fresh?.compensation != null && paymentCommandFor(fresh.compensation, line.occurredAt) !== null;
  if (fresh !== undefined && !stillNeedsPayment) return fresh;
  return {
    outcome: 'status_mismatch',
    paymentId,
    compensation: null,
    proposal: null,
    reason: `the ledger refused the compensation: ${refusal.code} ${refusal.message}`,
    ledger: loaded === undefined ? null : ledgerEvidence(ledgerPaymentFromState(loaded.state)),
  };
}

/** The line's booking was refused: the same line id was booked before with other figures. */
function bookingRefused(decision: LineDecision, refusal: UserError): LineDecision {
  const outcome = refusal.code === 'IDEMPOTENCY_KEY_REUSED' ? 'duplicate' : 'unsupported';
  const reason = `the line could not be booked: ${refusal.code} ${refusal.message}`;
  return { ...decision, outcome, compensation: null, proposal: null, reason };
}

export interface CompensationContext {
  ledger: LedgerWriter;
  /** The run's caller; each command names its line as the causation. */
  caller: Caller;
  runId: string;
  /** When the batch is applied: the bookings' time. */
  at: string;
  concurrency: number;
}

/** Applies one line's compensation; the decision to record, replaced when refused. */
async function compensateLine(
  context: CompensationContext,
  line: ReportLine,
  decision: LineDecision,
): Promise<LineDecision> {
  let current = decision;
  // At most twice: once as decided, once more as decided again on the payment's stream.
  for (let attempt = 0; attempt < 2 && current.compensation !== null; attempt += 1) {
    const compensation = current.compensation;
    const caller = {
      ...context.caller,
      causationId: `${context.caller.correlationId}:${line.lineId}`,
    };
    const times = { at: line.occurredAt, bookedAt: context.at, runId: context.runId };
    const refusal = await applyCompensation(context.ledger, caller, compensation, times);
    if (refusal === undefined) return current;
    if (refusal.by === 'booking') return bookingRefused(current, refusal.error);
    const paymentId = 'paymentId' in compensation ? compensation.paymentId : line.paymentId;
    const scoped = { ...line, paymentId };
    const payments = context.ledger.payments;
    current = await redecide(payments, context.caller.tenantId, scoped, refusal.error);
  }
  return current;
}

/**
 * Applies the matched lines' compensations, `concurrency` at a time; replaces the decision of
 * any line the ledger refused. Every step is idempotent (the settlement id and the booking are
 * the line's), so a rerun after a crash applies nothing twice.
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
      if (item?.line == null) continue;
      item.decision = await compensateLine(context, item.line, item.decision);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, context.concurrency) }, worker));
}
