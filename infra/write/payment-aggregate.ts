import type { DomainError } from '../../domain/errors.ts';
import { decodeEvent, encodeEvent } from '../../domain/events/codec.ts';
import { decide, evolve } from '../../domain/payment/index.ts';
import type { PaymentCommand } from '../../domain/payment/commands.ts';
import { paymentStreamName, type PaymentEvent } from '../../domain/payment/events.ts';
import type { PaymentState } from '../../domain/payment/state.ts';
import type { JsonObject, StoredEvent } from '../eventstore/event-store.ts';
import type { AggregateDefinition } from './aggregate-store.ts';

type PaymentAggregate = AggregateDefinition<PaymentCommand, PaymentEvent, PaymentState>;

export const paymentAggregate: PaymentAggregate = {
  streamName: paymentStreamName,
  decide,
  evolve,
  encode: (event) => {
    const encoded = encodeEvent(event);
    return {
      type: encoded.type,
      data: encoded.data as JsonObject,
      schemaVersion: encoded.schemaVersion,
    };
  },
  decode: (stored: StoredEvent) => {
    const version = stored.metadata.schemaVersion;
    return decodeEvent(stored.type, stored.data, typeof version === 'number' ? version : 1);
  },
};

/** Built by the domain's own decider, so the refusal is identical to a missing payment's. */
const notFound = (command: PaymentCommand): DomainError => {
  const decision = decide(command, undefined);
  if (decision.ok) throw new Error('a command on a missing payment must be refused');
  return decision.error;
};

/**
 * A tenant's caller sees only its own payments: another tenant's payment is reported as not
 * found, exactly like a missing one, so that ids of other tenants leak nothing.
 */
export function scopedToTenant(aggregate: PaymentAggregate, tenantId: string): PaymentAggregate {
  if (tenantId === '*') return aggregate;
  return {
    ...aggregate,
    decide: (command, state) => {
      if (state !== undefined && state.tenantId !== tenantId) {
        return { ok: false, error: notFound(command) };
      }
      return aggregate.decide(command, state);
    },
  };
}
