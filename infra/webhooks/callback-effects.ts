import type { CurrencyCode } from '../../domain/money/index.ts';

/**
 * What a provider callback says happened, in the ledger's terms and independent of the
 * provider's format. Every id is derived from the provider's own ids, so that mapping the same
 * callback twice yields the same commands and re-processing changes nothing.
 */
export type CallbackEffect =
  | { kind: 'authorize'; amount: bigint | null }
  | { kind: 'capture'; captureId: string; amount: bigint | null }
  | { kind: 'fail'; reason: string }
  /**
   * `authorizedAmount`: what the voided authorization held, when the provider says so. A void
   * that overtakes its authorization then authorizes that amount first (as a capture does), so
   * the payment ends as it would in order; without it, the payment is voided unauthorized.
   */
  | { kind: 'void'; reason: string | null; authorizedAmount: bigint | null }
  | {
      kind: 'refund';
      refundId: string;
      amount: bigint;
      result: 'pending' | 'succeeded' | 'failed';
      reason: string | null;
    }
  | { kind: 'open_dispute'; disputeId: string; amount: bigint; reason: string | null }
  | {
      kind: 'resolve_dispute';
      disputeId: string;
      amount: bigint;
      outcome: 'won' | 'lost';
      reason: string | null;
    }
  | { kind: 'settle'; settlementId: string; amount: bigint; fee: bigint };

/** How the callback names its payment: the ledger's own id, or the provider's reference. */
export interface PaymentReference {
  paymentId: string | null;
  providerPaymentId: string | null;
}

export type MappedCallback =
  | {
      kind: 'effects';
      reference: PaymentReference;
      currency: CurrencyCode;
      /** When the provider says it happened (ISO): the commands' `at`, so replays are stable. */
      occurredAt: string;
      effects: CallbackEffect[];
    }
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; reason: string };

/** The few fields the intake needs before storing a callback. */
export type CallbackEnvelope =
  | { ok: true; providerEventId: string; eventType: string; paymentId: string | null }
  | { ok: false; reason: string };

export interface ProviderMapper {
  /** Header that carries the `t=,v1=` signature (lower case, as node spells headers). */
  signatureHeader: string;
  envelope(payload: unknown): CallbackEnvelope;
  map(payload: unknown, providerEventId: string): MappedCallback;
}

/** The capture id for a provider that names none: stable per callback. */
export function callbackScopedId(providerEventId: string): string {
  return `cb-${providerEventId}`;
}
