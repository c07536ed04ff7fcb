/**
 * Business refusals are values, never thrown: deciders and parsers return them so that the edge
 * maps each code once (GraphQL payload `errors`). The list is closed; README renders ERROR_CODES.
 * Broken invariants (a bug, a corrupt stream) are the other tier: they throw a typed Error.
 */
export const ERROR_CODES = {
  PAYMENT_NOT_FOUND: 'No payment stream exists for this payment id.',
  PAYMENT_ALREADY_EXISTS: 'A payment with this id already exists with different data.',
  INVALID_COMMAND:
    'A command field is malformed (empty identifier, unparsable timestamp, unknown option).',
  INVALID_TRANSITION:
    'The command is not allowed in the current status of the payment, refund or dispute.',
  INVALID_AMOUNT:
    'An amount is not an integer of minor units in the signed 64-bit range, or is not positive.',
  UNKNOWN_CURRENCY:
    'Not an ISO 4217 tender currency (funds, metals, test and "no currency" codes are refused).',
  CURRENCY_MISMATCH: 'Amounts in different currencies were combined; currencies never mix.',
  AMOUNT_EXCEEDS_PAYMENT: 'The authorization is larger than the amount of the payment.',
  AMOUNT_EXCEEDS_AUTHORIZED: 'The capture is larger than the whole authorized amount.',
  AMOUNT_EXCEEDS_CAPTURABLE: 'The capture is larger than what remains of the authorization.',
  SETTLEMENT_EXCEEDS_CAPTURED: 'The settled amount is larger than the captured amount.',
  REFUND_EXCEEDS_REFUNDABLE:
    'The refund is larger than captured minus refunds (pending and succeeded) minus disputes.',
  REFUND_NOT_FOUND: 'No refund with this id exists on the payment.',
  DISPUTE_NOT_FOUND: 'No dispute with this id exists on the payment.',
  DISPUTE_EXCEEDS_CAPTURED: 'The dispute is larger than captured minus open and lost disputes.',
  IDEMPOTENCY_KEY_REUSED:
    'An id (capture, settlement, refund, dispute, client key) was reused with different data.',
  CONCURRENCY_CONFLICT:
    'The stream changed since it was read; raised by the write path after its bounded retries.',
  PAYMENT_EXPIRED: 'The authorization or capture window of the payment has passed.',
} as const satisfies Record<string, string>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as ErrorCode[];

export type DomainError = { code: ErrorCode; message: string; field?: string[] };

export type Refusal = { ok: false; error: DomainError };

/** What a decider answers: the events to append (possibly none), or why it refuses. */
export type Decision<Event> = { ok: true; events: Event[] } | Refusal;

/** What a parser or an arithmetic helper answers. */
export type Result<Value> = { ok: true; value: Value } | Refusal;

export function domainError(code: ErrorCode, message: string, field?: string[]): DomainError {
  return field === undefined ? { code, message } : { code, message, field };
}

export function refuse(code: ErrorCode, message: string, field?: string[]): Refusal {
  return { ok: false, error: domainError(code, message, field) };
}

export function success<Value>(value: Value): { ok: true; value: Value } {
  return { ok: true, value };
}

/** A broken invariant: a bug or a corrupt stream, never a business refusal. */
export class InvariantViolationError extends Error {
  override readonly name = 'InvariantViolationError';
}

/** Ends every switch over a closed union, so that a new member fails type-checking. */
export function assertNever(value: never, what: string): never {
  throw new InvariantViolationError(`unexpected ${what}: ${JSON.stringify(value)}`);
}
