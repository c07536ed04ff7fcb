import { createHash } from 'node:crypto';
import type {
  BookingEvent,
  BookingState,
  BookProviderLine,
} from '../../domain/reconciliation/index.ts';
import {
  decideBooking,
  decodeBookingEvent,
  encodeBookingEvent,
  evolveBooking,
} from '../../domain/reconciliation/index.ts';
import type { AggregateDefinition } from '../write/aggregate-store.ts';
import { storedCodec } from './run-aggregate.ts';

export const BOOKING_STREAM_PREFIX = 'provider-line-';

/** One stream per booking key (see bookingKey); hashed, since ids are the provider's free text. */
export function bookingStreamName(key: string): string {
  const digest = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 40);
  return `${BOOKING_STREAM_PREFIX}${digest}`;
}

export const bookingAggregate: AggregateDefinition<BookProviderLine, BookingEvent, BookingState> = {
  streamName: bookingStreamName,
  decide: decideBooking,
  evolve: evolveBooking,
  ...storedCodec(encodeBookingEvent, decodeBookingEvent),
};
