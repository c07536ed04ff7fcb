import { randomUUID } from 'node:crypto';
import type { EventStore } from '../eventstore/event-store.ts';

/**
 * The processor's durable progress in the event store itself, so that no second database is
 * needed on the write side. The event type does not start with `Webhook`, so the processor's
 * own subscription (and the inbox projection) never see it.
 */
export const PROCESSOR_CHECKPOINT_STREAM = 'webhook-processor-checkpoint';
export const PROCESSOR_CHECKPOINT_EVENT_TYPE = 'ProcessorCheckpointRecorded';

/** Checkpoints kept readable: only the newest is used; a few more show recent progress. */
export const PROCESSOR_CHECKPOINTS_KEPT = 10;

/** Bounds the checkpoint stream, which gains an event every 15 s of traffic for ever. */
export function limitCheckpointHistory(store: EventStore): Promise<void> {
  return store.limitStreamLength(PROCESSOR_CHECKPOINT_STREAM, PROCESSOR_CHECKPOINTS_KEPT);
}

export async function readCheckpoint(store: EventStore): Promise<bigint | undefined> {
  const events = await store.readStream(PROCESSOR_CHECKPOINT_STREAM, {
    backwards: true,
    maxCount: 1,
  });
  const position = events?.[0]?.data.position;
  return typeof position === 'string' && /^\d+$/.test(position) ? BigInt(position) : undefined;
}

export async function writeCheckpoint(store: EventStore, position: bigint): Promise<void> {
  await store.append(
    PROCESSOR_CHECKPOINT_STREAM,
    [
      {
        id: randomUUID(),
        type: PROCESSOR_CHECKPOINT_EVENT_TYPE,
        data: { position: position.toString(), recordedAt: new Date().toISOString() },
        metadata: {
          correlationId: randomUUID(),
          causationId: null,
          actor: 'webhook-processor',
          source: 'system',
          tenantId: '*',
          schemaVersion: 1,
        },
      },
    ],
    'any',
  );
}
