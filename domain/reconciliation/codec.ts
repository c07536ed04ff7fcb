import { z } from 'zod';
import { EventDecodeError, EventEncodeError } from '../events/codec.ts';
import { currency, identifier, instant, nullableInstant } from '../events/schemas.ts';
import type { ReconciliationEvent, ReconciliationEventType } from './events.ts';
import { RECONCILIATION_EVENT_TYPES } from './events.ts';
import { lineBookingSchema, signedMinorUnits } from './booking.ts';
import type { Compensation } from './outcomes.ts';
import { compactSettled, expandSettled, storedSettledSchema } from './settled-columns.ts';
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

/** The version each type is written at; ReconciliationBatchRecorded 2 is settled-columns.ts. */
const CURRENT_VERSIONS: { [Type in ReconciliationEventType]: number } = {
  ReconciliationRunStarted: 1,
  ReconciliationBatchRecorded: 2,
  ReconciliationRunCompleted: 1,
  ReconciliationExceptionResolved: 1,
};

/** The version every type but the batch record is at. */
export const RECONCILIATION_SCHEMA_VERSION = 1;

const batchRecordedV2 = z.object({
  runId: identifier,
  batchIndex: count,
  settled: storedSettledSchema(compensation as z.ZodType<Compensation>, identifier),
  exceptions: z.array(recordedLine),
  counts,
  recordedAt: instant,
});

export function isReconciliationEventType(type: string): type is ReconciliationEventType {
  return (RECONCILIATION_EVENT_TYPES as readonly string[]).includes(type);
}

function summary(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

function parsed<Value>(schema: z.ZodType<Value>, type: string, data: unknown, version: number) {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issues = summary(result.error);
  const text = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  throw new EventDecodeError(`invalid ${type}: ${text}`, type, version, issues);
}

export function decodeReconciliationEvent(
  type: string,
  data: unknown,
  schemaVersion: number,
): ReconciliationEvent {
  if (!isReconciliationEventType(type)) {
    throw new EventDecodeError(`unknown event type ${type}`, type, schemaVersion);
  }
  if (type === 'ReconciliationBatchRecorded' && schemaVersion === 2) {
    // Upcast: the compact stored columns back to the in-memory ones.
    const stored = parsed(batchRecordedV2, type, data, schemaVersion);
    return { type, data: { ...stored, settled: expandSettled(stored.settled) } };
  }
  if (schemaVersion !== RECONCILIATION_SCHEMA_VERSION) {
    throw new EventDecodeError(
      `${type} has schema version ${CURRENT_VERSIONS[type]} or 1, not ${schemaVersion}`,
      type,
      schemaVersion,
    );
  }
  // The schema table ties each type to its data shape; TypeScript cannot follow the lookup.
  return { type, data: parsed(SCHEMAS[type], type, data, schemaVersion) } as ReconciliationEvent;
}

/** Validated before it is stored, so a decider's bug never reaches the store. */
export function encodeReconciliationEvent(event: ReconciliationEvent): {
  type: ReconciliationEventType;
  data: Record<string, unknown>;
  schemaVersion: number;
} {
  const checked = SCHEMAS[event.type].safeParse(event.data);
  if (!checked.success) {
    const issues = summary(checked.error);
    const text = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    throw new EventEncodeError(`invalid ${event.type}: ${text}`, event.type, 1, issues);
  }
  const data = checked.data as Record<string, unknown>;
  const schemaVersion = CURRENT_VERSIONS[event.type];
  if (event.type !== 'ReconciliationBatchRecorded')
    return { type: event.type, data, schemaVersion };
  return {
    type: event.type,
    data: { ...data, settled: compactSettled(event.data.settled) },
    schemaVersion,
  };
}
