import { isCurrencyCode } from '../../domain/money/index.ts';
import type {
  MoneyView,
  PaymentSnapshot,
  RefundSnapshot,
} from '../../infra/write/payment-snapshot.ts';
import { moneyView } from '../../infra/write/payment-snapshot.ts';

/**
 * What the Payment and Refund types resolve from. Read-model rows and command snapshots are
 * both turned into these shapes, so one set of resolvers serves queries and mutation payloads.
 */
export interface RefundView {
  id: string;
  paymentId: string;
  tenantId: string;
  status: string;
  amount: MoneyView;
  reason: string | null;
  failureReason: string | null;
  requestedAt: string;
  resolvedAt: string | null;
}

export interface PaymentView extends Omit<PaymentSnapshot, 'refunds' | 'disputes'> {
  /** Where it came from: a command's result carries its refunds; a row loads them. */
  origin: 'readModel' | 'command';
  refunds: RefundView[] | undefined;
}

/** Money from a stored bigint and currency code. */
export function money(amount: bigint | string, currency: string): MoneyView {
  const minorUnits = typeof amount === 'bigint' ? amount : BigInt(amount);
  if (isCurrencyCode(currency)) return moneyView(minorUnits, currency);
  // A currency the domain refuses cannot be in a read model; show the raw units rather than fail.
  return { amount: minorUnits.toString(), currency, formatted: minorUnits.toString() };
}

export function instant(value: Date | string | null): string | null {
  if (value === null) return null;
  return value instanceof Date ? value.toISOString() : value;
}

export function refundFromSnapshot(refund: RefundSnapshot): RefundView {
  return {
    id: refund.id,
    paymentId: refund.paymentId,
    tenantId: refund.tenantId,
    status: refund.status,
    amount: refund.amount,
    reason: refund.reason,
    failureReason: null,
    requestedAt: refund.requestedAt,
    resolvedAt: refund.resolvedAt,
  };
}

export function paymentFromSnapshot(snapshot: PaymentSnapshot): PaymentView {
  const { refunds, disputes: _disputes, ...rest } = snapshot;
  return { ...rest, origin: 'command', refunds: refunds.map(refundFromSnapshot) };
}
