import { z } from 'zod';
import type { Decision } from '../errors.ts';
import { refuse } from '../errors.ts';
import { EventDecodeError, EventEncodeError } from '../events/codec.ts';
import { currency, identifier, instant, nullableText } from '../events/schemas.ts';
import {
  PROVIDER_LINE_KINDS,
  providerLineNet,
  type ProviderLine,
  type ProviderLineKind,
} from '../journal/index.ts';
import { parseCurrencyCode, parseMinorUnits } from '../money/index.ts';
import { isInstant } from '../time.ts';

/**
 * A provider balance line the ledger books on its own: a refund's or a dispute's movement of the
 * provider balance with its fee, or a payout (the posting rules are in journal/provider-lines).
 * One stream per provider movement (bookingKey), whatever run, report or line id brings it: the
 * same refund, dispute debit or payout is booked once, and one that comes back with other
 * figures is refused, never booked twice.
 */
export interface LineBooking {
  lineId: string;
  kind: ProviderLineKind;
  /** Whose books: the payment's tenant, or for a payout the run's ('*' = the platform's). */
  tenantId: string;
  /** The payment of a refund or dispute line; null for a payout. */
  paymentId: string | null;
  /** The refund, dispute or payout id at the provider. */
  itemId: string | null;
  /** Minor units: the gross as a magnitude, the fee and net signed as the provider wrote them. */
  amount: string;
  fee: string;
  net: string;
  currency: string;
  occurredAt: string;
}

export type ReconciliationLineBooked = {
  type: 'ReconciliationLineBooked';
  data: LineBooking & { runId: string; bookedAt: string };
};
/** Named in the run's family: projections subscribe by the `Reconciliation` prefix. */
export type BookingEvent = ReconciliationLineBooked;
export const BOOKING_EVENT_TYPES = ['ReconciliationLineBooked'] as const;
export const BOOKING_SCHEMA_VERSION = 1;

export type BookProviderLine = {
  type: 'BookProviderLine';
  data: LineBooking & { runId: string; at: string };
};

export interface BookingState {
  booking: LineBooking;
  runId: string;
}

/** The line in the journal's terms; the figures are checked by then. */
export function providerLineOf(booking: LineBooking): ProviderLine {
  return {
    lineId: booking.lineId,
    kind: booking.kind,
    amount: BigInt(booking.amount),
    fee: BigInt(booking.fee),
    currency: booking.currency as ProviderLine['currency'],
    occurredAt: booking.occurredAt,
  };
}

/**
 * What is booked once: the movement of a refund, dispute or payout (kind and provider id), or
 * the line itself when it names no provider object. Two exports of the same report, or a
 * Stripe export and a ledger CSV of the same month, then book the movement once.
 */
export function bookingKey(booking: Pick<LineBooking, 'kind' | 'itemId' | 'lineId'>): string {
  return booking.itemId === null ? `line:${booking.lineId}` : `${booking.kind}:${booking.itemId}`;
}

/** The money of a booking: the same movement brought by another line id or export is in step. */
function figures(booking: LineBooking): string {
  const { kind, tenantId, paymentId, itemId, amount, fee, net, currency } = booking;
  return JSON.stringify([kind, tenantId, paymentId, itemId, amount, fee, net, currency]);
}

function invalid(booking: BookProviderLine['data']): Decision<BookingEvent> | undefined {
  const ids = [booking.lineId, booking.tenantId, booking.runId];
  if (ids.some((id) => typeof id !== 'string' || id.length === 0)) {
    return refuse('INVALID_COMMAND', 'lineId, tenantId and runId must be non-empty');
  }
  if (!PROVIDER_LINE_KINDS.includes(booking.kind)) {
    return refuse('INVALID_COMMAND', `unknown provider line kind ${String(booking.kind)}`);
  }
  const code = parseCurrencyCode(booking.currency);
  if (!code.ok) return code;
  if (!isInstant(booking.occurredAt) || !isInstant(booking.at)) {
    return refuse('INVALID_COMMAND', 'occurredAt and at must be ISO-8601 instants');
  }
  const amount = parseMinorUnits(booking.amount, 'positive');
  const fee = parseMinorUnits(booking.fee, 'any');
  const net = parseMinorUnits(booking.net, 'any');
  if (!amount.ok || !fee.ok || !net.ok) {
    return refuse('INVALID_AMOUNT', 'amount must be positive, fee and net integers of minor units');
  }
  if (providerLineNet(providerLineOf(booking)) !== net.value) {
    return refuse('INVALID_AMOUNT', `net ${booking.net} is not the signed gross minus the fee`);
  }
  return undefined;
}

export function decideBooking(
  command: BookProviderLine,
  state: BookingState | undefined,
): Decision<BookingEvent> {
  const refusal = invalid(command.data);
  if (refusal !== undefined) return refusal;
  const { runId, at, ...booking } = command.data;
  if (state !== undefined) {
    if (figures(state.booking) === figures(booking)) return { ok: true, events: [] };
    return refuse(
      'IDEMPOTENCY_KEY_REUSED',
      `${bookingKey(booking)} was booked by run ${state.runId} (line ${state.booking.lineId}) ` +
        'with other figures',
    );
  }
  return {
    ok: true,
    events: [{ type: 'ReconciliationLineBooked', data: { ...booking, runId, bookedAt: at } }],
  };
}

export function evolveBooking(state: BookingState | undefined, event: BookingEvent): BookingState {
  // One event per stream: a second would be a bug the decider never makes.
  if (state !== undefined) return state;
  const { runId, bookedAt: _bookedAt, ...booking } = event.data;
  return { booking, runId };
}

/** A signed integer of minor units as stored text. */
export const signedMinorUnits = z.string().regex(/^-?(0|[1-9][0-9]{0,18})$/);

/** The stored shape of a booking, also inside the run's compensations. */
export const lineBookingSchema = z.object({
  lineId: identifier,
  kind: z.enum(PROVIDER_LINE_KINDS),
  tenantId: identifier,
  paymentId: nullableText,
  itemId: nullableText,
  amount: signedMinorUnits,
  fee: signedMinorUnits,
  net: signedMinorUnits,
  currency,
  occurredAt: instant,
});

const bookedSchema = lineBookingSchema.extend({ runId: identifier, bookedAt: instant });

export function isBookingEventType(type: string): type is BookingEvent['type'] {
  return (BOOKING_EVENT_TYPES as readonly string[]).includes(type);
}

function problems(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
}

export function decodeBookingEvent(
  type: string,
  data: unknown,
  schemaVersion: number,
): BookingEvent {
  if (!isBookingEventType(type) || schemaVersion !== BOOKING_SCHEMA_VERSION) {
    throw new EventDecodeError(
      `no ${type} at schema version ${schemaVersion}`,
      type,
      schemaVersion,
    );
  }
  const parsed = bookedSchema.safeParse(data);
  if (!parsed.success) {
    throw new EventDecodeError(`invalid ${type}: ${problems(parsed.error)}`, type, schemaVersion);
  }
  return { type, data: parsed.data };
}

/** Validated before it is stored, so a decider's bug never reaches the store. */
export function encodeBookingEvent(event: BookingEvent): {
  type: BookingEvent['type'];
  data: Record<string, unknown>;
  schemaVersion: number;
} {
  const parsed = bookedSchema.safeParse(event.data);
  if (!parsed.success) {
    const message = `invalid ${event.type}: ${problems(parsed.error)}`;
    throw new EventEncodeError(message, event.type, BOOKING_SCHEMA_VERSION);
  }
  return { type: event.type, data: parsed.data, schemaVersion: BOOKING_SCHEMA_VERSION };
}
