import { describe, expect, it } from 'vitest';
import type { PaymentEvent } from '../payment/events.ts';
import { PAYMENT_EVENT_TYPES } from '../payment/events.ts';
import { event } from '../payment/testing/fixtures.ts';
import { EVENT_CATALOG } from './catalog.ts';
import {
  currentSchemaVersion,
  decodeEvent,
  EventDecodeError,
  EventEncodeError,
  encodeEvent,
} from './codec.ts';

function roundTrip(original: PaymentEvent): PaymentEvent {
  const encoded = encodeEvent(original);
  const stored = JSON.parse(JSON.stringify(encoded.data)) as unknown;
  return decodeEvent(encoded.type, stored, encoded.schemaVersion);
}

function decodeError(run: () => unknown): EventDecodeError {
  try {
    run();
  } catch (error) {
    if (error instanceof EventDecodeError) return error;
    throw error;
  }
  throw new Error('expected an EventDecodeError');
}

describe('encodeEvent and decodeEvent', () => {
  it.each(PAYMENT_EVENT_TYPES)('round-trips %s through JSON', (type) => {
    const original = event(type);
    expect(roundTrip(original)).toEqual(original);
  });

  it('writes PaymentInitiated at v2 and every other event at v1', () => {
    expect(encodeEvent(event('PaymentInitiated')).schemaVersion).toBe(2);
    for (const type of PAYMENT_EVENT_TYPES.filter((name) => name !== 'PaymentInitiated')) {
      expect(currentSchemaVersion(type)).toBe(1);
    }
  });

  it('drops unknown keys instead of storing or returning them', () => {
    const withExtra = { ...event('PaymentVoided').data, debug: 'x' } as never;
    expect(encodeEvent({ type: 'PaymentVoided', data: withExtra }).data).not.toHaveProperty(
      'debug',
    );
    const decoded = decodeEvent('PaymentVoided', withExtra, 1);
    expect(decoded.data).not.toHaveProperty('debug');
  });

  it('refuses to encode an event its schema rejects, before it reaches the store', () => {
    const broken = {
      type: 'PaymentCaptured',
      data: { ...event('PaymentCaptured').data, amount: '-1' },
    };
    expect(() => encodeEvent(broken as PaymentEvent)).toThrow(EventEncodeError);
  });
});

describe('upcasting', () => {
  it.each(PAYMENT_EVENT_TYPES)(
    'has one upcaster per old version of %s, ending at the current',
    (type) => {
      const definition = EVENT_CATALOG[type];
      expect(definition.upcast).toHaveLength(definition.versions.length - 1);
      expect(definition.versions.at(-1)).toBe(definition.current);
    },
  );

  it('upcasts a v1 PaymentInitiated, written before captureMode existed, to manual capture', () => {
    const { captureMode: _dropped, ...v1 } = event('PaymentInitiated').data as Record<
      string,
      unknown
    >;
    const decoded = decodeEvent('PaymentInitiated', v1, 1);
    expect(decoded).toEqual(event('PaymentInitiated', { captureMode: 'manual' }));
  });

  it('validates the old shape before upcasting it', () => {
    const { captureMode: _dropped, ...v1 } = event('PaymentInitiated').data as Record<
      string,
      unknown
    >;
    const error = decodeError(() => decodeEvent('PaymentInitiated', { ...v1, amount: 10 }, 1));
    expect(error.schemaVersion).toBe(1);
    expect(error.issues.map((issue) => issue.path)).toEqual(['amount']);
  });

  it('refuses a v2 PaymentInitiated without captureMode', () => {
    const { captureMode: _dropped, ...v1 } = event('PaymentInitiated').data as Record<
      string,
      unknown
    >;
    expect(() => decodeEvent('PaymentInitiated', v1, 2)).toThrow(EventDecodeError);
  });

  it.each([0, 3, 1.5, Number.NaN])('refuses schema version %s of PaymentInitiated', (version) => {
    expect(() => decodeEvent('PaymentInitiated', event('PaymentInitiated').data, version)).toThrow(
      /schema versions 1..2/,
    );
  });
});

describe('refusing what cannot be a stored event', () => {
  it('refuses an unknown type', () => {
    const error = decodeError(() => decodeEvent('PaymentTeleported', {}, 1));
    expect(error).toMatchObject({ eventType: 'PaymentTeleported', name: 'EventDecodeError' });
  });

  it.each([
    ['a number amount', { amount: 1000 }],
    ['a float amount', { amount: '10.50' }],
    ['an exponent amount', { amount: '1e3' }],
    ['a zero amount', { amount: '0' }],
    ['an amount over 64 bits', { amount: '9223372036854775808' }],
    ['an unknown currency', { currency: 'XXX' }],
    ['a lowercase currency', { currency: 'usd' }],
    ['a time without offset', { capturedAt: '2025-01-01T00:00:00' }],
    ['an empty capture id', { captureId: '' }],
    ['a missing payment id', { paymentId: undefined }],
  ])('refuses a PaymentCaptured with %s', (_label, change) => {
    const data = { ...event('PaymentCaptured').data, ...change };
    expect(() => decodeEvent('PaymentCaptured', data, 1)).toThrow(EventDecodeError);
  });

  it('refuses a settlement whose net is not amount minus fee', () => {
    const data = { ...event('PaymentSettled').data, net: '971' };
    const error = decodeError(() => decodeEvent('PaymentSettled', data, 1));
    expect(error.issues).toEqual([{ path: 'net', message: 'net must equal amount - fee' }]);
  });

  it('refuses data that is not an object', () => {
    expect(() => decodeEvent('PaymentExpired', 'pay_1', 1)).toThrow(EventDecodeError);
    expect(() => decodeEvent('PaymentExpired', null, 1)).toThrow(EventDecodeError);
  });
});
