import type { Money } from '../money/index.ts';
import type { CaptureMode, InstantText } from './events.ts';

/**
 * Commands carry their time (`at`) and every id they create: the deciders have no clock and no
 * random source. Optional fields may be omitted or null; both mean "not given".
 */
type Command<Type extends string, Data> = { type: Type; data: Data & { at: InstantText } };

export type CreatePayment = Command<
  'CreatePayment',
  {
    paymentId: string;
    tenantId: string;
    amount: Money;
    reference?: string | null;
    providerPaymentId?: string | null;
    provider?: string | null;
    /** Defaults to 'manual', the same default the codec gives v1 events. */
    captureMode?: CaptureMode;
    authorizationExpiresAt?: InstantText | null;
  }
>;

export type AuthorizePayment = Command<
  'AuthorizePayment',
  {
    paymentId: string;
    /** Defaults to the whole payment amount; may be less, never more. */
    amount?: Money;
    authorizationId?: string | null;
    captureExpiresAt?: InstantText | null;
  }
>;

export type CapturePayment = Command<
  'CapturePayment',
  {
    paymentId: string;
    captureId: string;
    /** Defaults to whatever remains of the authorization. */
    amount?: Money;
  }
>;

export type VoidPayment = Command<'VoidPayment', { paymentId: string; reason?: string | null }>;

export type FailPayment = Command<'FailPayment', { paymentId: string; reason: string }>;

export type ExpirePayment = Command<'ExpirePayment', { paymentId: string }>;

export type SettlePayment = Command<
  'SettlePayment',
  {
    paymentId: string;
    settlementId: string;
    /** Gross settled. */
    amount: Money;
    /** Kept by the provider; may be zero, never more than the amount. */
    fee: Money;
  }
>;

export type RequestRefund = Command<
  'RequestRefund',
  {
    paymentId: string;
    refundId: string;
    amount: Money;
    reason?: string | null;
  }
>;

export type CompleteRefund = Command<'CompleteRefund', { paymentId: string; refundId: string }>;

export type FailRefund = Command<
  'FailRefund',
  {
    paymentId: string;
    refundId: string;
    reason?: string | null;
  }
>;

export type OpenDispute = Command<
  'OpenDispute',
  {
    paymentId: string;
    disputeId: string;
    amount: Money;
    reason?: string | null;
  }
>;

export const DISPUTE_OUTCOMES = ['won', 'lost'] as const;
export type DisputeOutcome = (typeof DISPUTE_OUTCOMES)[number];

export type ResolveDispute = Command<
  'ResolveDispute',
  {
    paymentId: string;
    disputeId: string;
    outcome: DisputeOutcome;
  }
>;

export type PaymentCommand =
  | CreatePayment
  | AuthorizePayment
  | CapturePayment
  | VoidPayment
  | FailPayment
  | ExpirePayment
  | SettlePayment
  | RequestRefund
  | CompleteRefund
  | FailRefund
  | OpenDispute
  | ResolveDispute;

export type PaymentCommandType = PaymentCommand['type'];

export type PaymentCommandOf<Type extends PaymentCommandType> = Extract<
  PaymentCommand,
  { type: Type }
>;

export type CommandData<Type extends PaymentCommandType> = PaymentCommandOf<Type>['data'];
