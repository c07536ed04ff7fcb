import { z } from 'zod';
import { isCurrencyCode, parseMinorUnits } from '../money/index.ts';
import type { CurrencyCode, SignPolicy } from '../money/index.ts';
import { CAPTURE_MODES } from '../payment/events.ts';
import { isInstant } from '../time.ts';

/**
 * Field schemas for stored event payloads. They reuse the domain's own parsers so that what
 * a decider may emit and what the codec accepts on read can never drift apart.
 */
function minorUnits(sign: SignPolicy) {
  return z.string().refine((text) => parseMinorUnits(text, sign).ok, {
    message: `expected a ${sign} integer string of minor units within 64 bits`,
  });
}

export const positiveAmount = minorUnits('positive');
export const nonNegativeAmount = minorUnits('nonNegative');

export const currency = z.custom<CurrencyCode>(isCurrencyCode, {
  message: 'expected a tender ISO 4217 currency code',
});

export const instant = z.string().refine(isInstant, { message: 'expected an ISO-8601 instant' });
export const nullableInstant = instant.nullable();
export const identifier = z.string().min(1);
export const nullableText = z.string().nullable();
export const captureMode = z.enum(CAPTURE_MODES);
