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

export const runAggregate: RunAggregate = {
  streamName: reconciliationStreamName,
  decide,
  evolve,
  encode: (event) => {
    const encoded = encodeReconciliationEvent(event);
    return {
      type: encoded.type,
      data: encoded.data as JsonObject,
      schemaVersion: encoded.schemaVersion,
    };
  },
  decode: (stored: StoredEvent) => {
    const version = stored.metadata.schemaVersion;
    return decodeReconciliationEvent(
      stored.type,
      stored.data,
      typeof version === 'number' ? version : 1,
    );
  },
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
