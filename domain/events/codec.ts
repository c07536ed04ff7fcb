import type { z } from 'zod';
import type { PaymentEvent, PaymentEventType } from '../payment/events.ts';
import { PAYMENT_EVENT_TYPES } from '../payment/events.ts';
import { currentSchemaVersion, EVENT_CATALOG } from './catalog.ts';

/**
 * The one door between stored events and the domain. A stored event that does not decode is a
 * broken invariant (a bug, or data written by something else), not a business refusal, so the
 * codec throws a typed error instead of returning a result.
 */
export class EventCodecError extends Error {
  constructor(
    message: string,
    readonly eventType: string,
    readonly schemaVersion: number,
    readonly issues: readonly { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/** What was read back is not a valid event of a known type and version. */
export class EventDecodeError extends EventCodecError {
  override readonly name = 'EventDecodeError';
}

/** A decider produced an event its own schema refuses: a bug caught before it is stored. */
export class EventEncodeError extends EventCodecError {
  override readonly name = 'EventEncodeError';
}

type ErrorClass = typeof EventDecodeError | typeof EventEncodeError;

/** JSON-safe: only strings, nulls and plain objects, as the store's JSON.stringify needs. */
export type EncodedEvent = {
  type: PaymentEventType;
  data: Record<string, string | null>;
  schemaVersion: number;
};

export function isPaymentEventType(type: string): type is PaymentEventType {
  return (PAYMENT_EVENT_TYPES as readonly string[]).includes(type);
}

function describeIssues(error: z.ZodError) {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

function validate(
  schema: z.ZodType,
  data: unknown,
  type: string,
  version: number,
  ErrorType: ErrorClass = EventDecodeError,
): unknown {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issues = describeIssues(parsed.error);
  const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  throw new ErrorType(`invalid ${type} v${version}: ${summary}`, type, version, issues);
}

/**
 * Validates a stored payload at the version it was written, then upcasts it step by step to
 * the current shape, validating again at the end.
 */
export function decodeEvent(type: string, data: unknown, schemaVersion: number): PaymentEvent {
  if (!isPaymentEventType(type)) {
    throw new EventDecodeError(`unknown event type ${type}`, type, schemaVersion);
  }
  const definition = EVENT_CATALOG[type];
  const current = definition.versions.length;
  if (!Number.isInteger(schemaVersion) || schemaVersion < 1 || schemaVersion > current) {
    const message = `${type} has schema versions 1..${current}, not ${schemaVersion}`;
    throw new EventDecodeError(message, type, schemaVersion);
  }
  let value = data;
  for (let version = schemaVersion; version < current; version += 1) {
    const schema = definition.versions[version - 1];
    const upcast = definition.upcast[version - 1];
    if (schema === undefined || upcast === undefined) {
      throw new EventDecodeError(`no upcaster from ${type} v${version}`, type, version);
    }
    value = upcast(validate(schema, value, type, version));
  }
  // The catalog ties each type to its data shape; TypeScript cannot follow the lookup by key.
  return { type, data: validate(definition.current, value, type, current) } as PaymentEvent;
}

/** The stored form of an event, validated first so that a bug never reaches the store. */
export function encodeEvent(event: PaymentEvent): EncodedEvent {
  const schemaVersion = currentSchemaVersion(event.type);
  const schema = EVENT_CATALOG[event.type].current;
  const data = validate(schema, event.data, event.type, schemaVersion, EventEncodeError);
  return { type: event.type, data: data as EncodedEvent['data'], schemaVersion };
}

export { currentSchemaVersion };
