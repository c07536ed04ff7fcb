import { z } from 'zod';
import { EventDecodeError, EventEncodeError } from '../events/codec.ts';
import { currency, identifier, instant, nullableInstant } from '../events/schemas.ts';
import type { ReconciliationEvent, ReconciliationEventType } from './events.ts';
import { RECONCILIATION_EVENT_TYPES } from './events.ts';
import { lineBookingSchema, signedMinorUnits } from './booking.ts';
import { LINE_KINDS, REPORT_FORMATS } from './lines.ts';
import { OUTCOMES, RESOLUTIONS } from './outcomes.ts';

/**
 * Stored shapes of the run's events, one zod schema per type and version. Every type is at
 * version 1 today; an upcaster goes here the day one changes (as in domain/events/catalog.ts).
 */
const count = z.number().int().nonnegative();
const nullableText = z.string().nullable();

const counts = z.object(
  Object.fromEntries(OUTCOMES.map((outcome) => [outcome, count])) as Record<
    (typeof OUTCOMES)[number],
    typeof count
  >,
);

const compensation = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('settle'),
    paymentId: identifier,
    settlementId: identifier,
    amount: signedMinorUnits,
    fee: signedMinorUnits,
    currency,
    settledAt: instant,
  }),
  z.object({ kind: z.literal('complete_refund'), paymentId: identifier, refundId: identifier }),
  z.object({
    kind: z.literal('resolve_dispute'),
    paymentId: identifier,
    disputeId: identifier,
    outcome: z.enum(['won', 'lost']),
  }),
  z.object({
    kind: z.literal('book_refund'),
    paymentId: identifier,
    refundId: identifier,
    complete: z.boolean(),
    booking: lineBookingSchema,
  }),
  z.object({
    kind: z.literal('book_dispute'),
    paymentId: identifier,
    disputeId: identifier,
    resolve: z.literal('won').nullable(),
    booking: lineBookingSchema,
  }),
  z.object({ kind: z.literal('book_payout'), booking: lineBookingSchema }),
]);

const lineEvidence = z.object({
  lineNumber: z.number().int().positive(),
  lineId: identifier,
  kind: z.enum(LINE_KINDS),
  sourceType: z.string(),
  paymentReference: nullableText,
  paymentId: nullableText,
  itemId: nullableText,
  amount: signedMinorUnits,
  fee: signedMinorUnits,
  net: signedMinorUnits,
  currency,
  occurredAt: instant,
});

const ledgerEvidence = z.object({
  paymentId: identifier,
  providerPaymentId: nullableText,
  status: z.string(),
  currency: z.string(),
  capturedAmount: signedMinorUnits,
  settledAmount: signedMinorUnits,
  feeAmount: signedMinorUnits,
  settlementId: nullableText,
  createdAt: z.string(),
  item: z.object({ id: z.string(), status: z.string(), amount: signedMinorUnits }).nullable(),
});

const recordedLine = z.object({
  exceptionId: nullableText,
  lineNumber: z.number().int().positive().nullable(),
  lineId: nullableText,
  outcome: z.enum(OUTCOMES),
  paymentId: nullableText,
  compensation: compensation.nullable(),
  evidence: z
    .object({
      reason: z.string(),
      line: lineEvidence.nullable(),
      ledger: ledgerEvidence.nullable(),
      proposal: compensation.nullable(),
    })
    .nullable(),
});

const settledLines = z
  .object({
    lineNumbers: z.array(z.number().int().positive()),
    lineIds: z.array(identifier),
    outcomes: z.array(z.enum(['matched', 'ignored'])),
    paymentIds: z.array(nullableText),
    compensations: z.array(compensation.nullable()),
  })
  .refine(
    (columns) =>
      [columns.lineIds, columns.outcomes, columns.paymentIds, columns.compensations].every(
        (column) => column.length === columns.lineNumbers.length,
      ),
    { message: 'every column has one entry per line' },
  );

const SCHEMAS: { [Type in ReconciliationEventType]: z.ZodType } = {
  ReconciliationRunStarted: z.object({
    runId: identifier,
    tenantId: identifier,
    fileName: z.string(),
    fileSha256: z.string().regex(/^[0-9a-f]{64}$/),
    format: z.enum(REPORT_FORMATS),
    lineCount: count,
    periodStart: nullableInstant,
    periodEnd: nullableInstant,
    startedAt: instant,
  }),
  ReconciliationBatchRecorded: z.object({
    runId: identifier,
    batchIndex: count,
    settled: settledLines,
    exceptions: z.array(recordedLine),
    counts,
    recordedAt: instant,
  }),
  ReconciliationRunCompleted: z.object({
    runId: identifier,
    counts,
    batchCount: count,
    completedAt: instant,
  }),
  ReconciliationExceptionResolved: z.object({
    runId: identifier,
    exceptionId: identifier,
    resolution: z.enum(RESOLUTIONS),
    note: z.string().min(1),
    resolvedBy: identifier,
    compensation: compensation.nullable(),
    resolvedAt: instant,
  }),
};

export const RECONCILIATION_SCHEMA_VERSION = 1;

export function isReconciliationEventType(type: string): type is ReconciliationEventType {
  return (RECONCILIATION_EVENT_TYPES as readonly string[]).includes(type);
}

function summary(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

export function decodeReconciliationEvent(
  type: string,
  data: unknown,
  schemaVersion: number,
): ReconciliationEvent {
  if (!isReconciliationEventType(type)) {
    throw new EventDecodeError(`unknown event type ${type}`, type, schemaVersion);
  }
  if (schemaVersion !== RECONCILIATION_SCHEMA_VERSION) {
    throw new EventDecodeError(
      `${type} has schema version 1, not ${schemaVersion}`,
      type,
      schemaVersion,
    );
  }
  const parsed = SCHEMAS[type].safeParse(data);
  if (!parsed.success) {
    const issues = summary(parsed.error);
    const text = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    throw new EventDecodeError(`invalid ${type}: ${text}`, type, schemaVersion, issues);
  }
  // The schema table ties each type to its data shape; TypeScript cannot follow the lookup.
  return { type, data: parsed.data } as ReconciliationEvent;
}

/** Validated before it is stored, so a decider's bug never reaches the store. */
export function encodeReconciliationEvent(event: ReconciliationEvent): {
  type: ReconciliationEventType;
  data: Record<string, unknown>;
  schemaVersion: number;
} {
  const parsed = SCHEMAS[event.type].safeParse(event.data);
  if (!parsed.success) {
    const issues = summary(parsed.error);
    const text = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    throw new EventEncodeError(`invalid ${event.type}: ${text}`, event.type, 1, issues);
  }
  return {
    type: event.type,
    data: parsed.data as Record<string, unknown>,
    schemaVersion: RECONCILIATION_SCHEMA_VERSION,
  };
}
