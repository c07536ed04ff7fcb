import type {
  AuthorizePaymentInput,
  CapturePaymentInput,
  CreatePaymentInput,
  PaymentResult,
  RefundPaymentInput,
  RefundResult,
  VoidPaymentInput,
} from '../../../infra/write/payment-service.ts';
import type { GraphqlContext } from '../context.ts';
import { requireRole } from '../context.ts';
import { paymentFromSnapshot, refundFromSnapshot } from '../views.ts';

type UserErrors = PaymentResult['errors'];

/**
 * Another tenant's payment must read exactly like a missing one. The write side reports both
 * as PAYMENT_NOT_FOUND, but from two places with two wordings; one wording here keeps the
 * message from telling them apart.
 */
function publicErrors(errors: UserErrors): UserErrors {
  return errors.map((error) =>
    error.code === 'PAYMENT_NOT_FOUND'
      ? { ...error, message: 'the payment does not exist' }
      : error,
  );
}

/**
 * Mutations call the write side and return its result as data: a refusal is a UserError in
 * `errors`, never a GraphQL error. `payment` comes from the command's own snapshot, not from
 * the read model, so a repeated idempotent request returns the first payload exactly.
 */
function paymentPayload(result: PaymentResult) {
  return {
    payment: result.payment ? paymentFromSnapshot(result.payment) : null,
    consistencyToken: result.consistencyToken,
    errors: publicErrors(result.errors),
  };
}

function refundPayload(result: RefundResult) {
  return {
    refund: result.refund ? refundFromSnapshot(result.refund) : null,
    payment: result.payment ? paymentFromSnapshot(result.payment) : null,
    consistencyToken: result.consistencyToken,
    errors: publicErrors(result.errors),
  };
}

type Input<Value> = { input: Value };

export const mutationResolvers = {
  createPayment: async (
    _: unknown,
    { input }: Input<CreatePaymentInput>,
    context: GraphqlContext,
  ) => {
    requireRole(context, 'write');
    const service = context.services.paymentService;
    return paymentPayload(await service.createPayment(context.caller(), input));
  },
  authorizePayment: async (
    _: unknown,
    { input }: Input<AuthorizePaymentInput>,
    context: GraphqlContext,
  ) => {
    requireRole(context, 'write');
    const service = context.services.paymentService;
    return paymentPayload(await service.authorizePayment(context.caller(), input));
  },
  capturePayment: async (
    _: unknown,
    { input }: Input<CapturePaymentInput>,
    context: GraphqlContext,
  ) => {
    requireRole(context, 'write');
    const service = context.services.paymentService;
    return paymentPayload(await service.capturePayment(context.caller(), input));
  },
  voidPayment: async (_: unknown, { input }: Input<VoidPaymentInput>, context: GraphqlContext) => {
    requireRole(context, 'write');
    const service = context.services.paymentService;
    return paymentPayload(await service.voidPayment(context.caller(), input));
  },
  refundPayment: async (
    _: unknown,
    { input }: Input<RefundPaymentInput>,
    context: GraphqlContext,
  ) => {
    requireRole(context, 'write');
    const service = context.services.paymentService;
    return refundPayload(await service.refundPayment(context.caller(), input));
  },
};
