import { describe, expect, it } from 'vitest';
import {
  bookingKey,
  decideBooking,
  decodeBookingEvent,
  encodeBookingEvent,
  evolveBooking,
  type BookProviderLine,
  type BookingState,
  type LineBooking,
} from './booking.ts';

const booking: LineBooking = {
  lineId: 'txn_1',
  kind: 'dispute_debit',
  tenantId: 'acme',
  paymentId: 'pay_1',
  itemId: 'dp_1',
  amount: '10000',
  fee: '1500',
  net: '-11500',
  currency: 'USD',
  occurredAt: '2025-03-04T10:00:00.000Z',
};

function book(figures: Partial<LineBooking> = {}, runId = 'run_1'): BookProviderLine {
  return {
    type: 'BookProviderLine',
    data: { ...booking, ...figures, runId, at: '2025-03-05T00:00:00.000Z' },
  };
}

function booked(command: BookProviderLine): BookingState {
  const decision = decideBooking(command, undefined);
  if (!decision.ok) throw new Error(decision.error.message);
  let state: BookingState | undefined;
  for (const event of decision.events) state = evolveBooking(state, event);
  if (state === undefined) throw new Error('nothing booked');
  return state;
}

describe('booking a provider line', () => {
  it('books a line once, with the run that booked it', () => {
    expect(decideBooking(book(), undefined)).toEqual({
      ok: true,
      events: [
        {
          type: 'ReconciliationLineBooked',
          data: { ...booking, runId: 'run_1', bookedAt: '2025-03-05T00:00:00.000Z' },
        },
      ],
    });
  });

  it('books nothing when the same movement comes again, from any run or line id', () => {
    const state = booked(book());
    expect(decideBooking(book({}, 'run_2'), state)).toEqual({ ok: true, events: [] });
    const otherExport = book({ lineId: 'ledger-7', occurredAt: '2025-03-04T10:00:00Z' });
    expect(decideBooking(otherExport, state)).toEqual({ ok: true, events: [] });
  });

  it('keys a booking by the provider object, or by the line when it names none', () => {
    expect(bookingKey(booking)).toBe('dispute_debit:dp_1');
    expect(bookingKey({ ...booking, kind: 'dispute_reversal' })).toBe('dispute_reversal:dp_1');
    expect(bookingKey({ ...booking, kind: 'payout', itemId: null })).toBe('line:txn_1');
  });

  it.each<[string, Partial<LineBooking>]>([
    ['another amount', { amount: '9000', net: '-10500' }],
    ['another fee', { fee: '0', net: '-10000' }],
    ['another payment', { paymentId: 'pay_2' }],
    ['another kind', { kind: 'refund' }],
  ])('refuses the same line id with %s', (_name, figures) => {
    const state = booked(book());
    expect(decideBooking(book(figures), state)).toMatchObject({
      ok: false,
      error: { code: 'IDEMPOTENCY_KEY_REUSED', message: expect.stringMatching(/run_1/) },
    });
  });

  it.each<[string, Partial<LineBooking>, string]>([
    ['a zero gross', { amount: '0', net: '-1500' }, 'INVALID_AMOUNT'],
    ['a net that is not signed gross - fee', { net: '-8500' }, 'INVALID_AMOUNT'],
    ['an unknown currency', { currency: 'XAU' }, 'UNKNOWN_CURRENCY'],
    ['an empty line id', { lineId: '' }, 'INVALID_COMMAND'],
    ['no tenant', { tenantId: '' }, 'INVALID_COMMAND'],
  ])('refuses %s', (_name, figures, code) => {
    expect(decideBooking(book(figures), undefined)).toMatchObject({ ok: false, error: { code } });
  });

  it('stores the event as it decides it, and reads it back', () => {
    const decision = decideBooking(book(), undefined);
    if (!decision.ok) throw new Error('refused');
    const [event] = decision.events;
    if (event === undefined) throw new Error('no event');
    const encoded = encodeBookingEvent(event);
    expect(decodeBookingEvent(encoded.type, encoded.data, encoded.schemaVersion)).toEqual(event);
    expect(() =>
      decodeBookingEvent('ReconciliationLineBooked', { ...encoded.data, fee: 1 }, 1),
    ).toThrow(/fee/);
  });
});
