import { createHash } from 'node:crypto';
import type {
  ReconciliationCommand,
  ReconciliationEvent,
  RunState,
} from '../../domain/reconciliation/index.ts';
import {
  decide,
  decodeReconciliationEvent,
  encodeReconciliationEvent,
  evolve,
  reconciliationStreamName,
} from '../../domain/reconciliation/index.ts';
import type { JsonObject, StoredEvent } from '../eventstore/event-store.ts';
import type { AggregateDefinition } from '../write/aggregate-store.ts';

export type RunAggregate = AggregateDefinition<
  ReconciliationCommand,
  ReconciliationEvent,
  RunState
>;

/** An aggregate's domain codec in the store's terms: JSON data, the version in the metadata. */
export function storedCodec<Event>(
  encode: (event: Event) => { type: string; data: Record<string, unknown>; schemaVersion: number },
  decode: (type: string, data: unknown, schemaVersion: number) => Event,
): Pick<AggregateDefinition<unknown, Event, unknown>, 'encode' | 'decode'> {
  return {
    encode: (event) => {
      const encoded = encode(event);
      return { ...encoded, data: encoded.data as JsonObject };
    },
    decode: (stored: StoredEvent) => {
      const version = stored.metadata.schemaVersion;
      return decode(stored.type, stored.data, typeof version === 'number' ? version : 1);
    },
  };
}

export const runAggregate: RunAggregate = {
  streamName: reconciliationStreamName,
  decide,
  evolve,
  ...storedCodec(encodeReconciliationEvent, decodeReconciliationEvent),
};

/**
 * The run of one report for one tenant: the same bytes give the same run, so importing a file
 * again finds the run it already made instead of starting a second one.
 */
export function deriveRunId(tenantId: string, fileSha256: string): string {
  return createHash('sha256')
    .update(`${tenantId}\n${fileSha256}`, 'utf8')
    .digest('hex')
    .slice(0, 32);
}
