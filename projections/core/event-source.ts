import type { EventStore } from '../../infra/eventstore/event-store.ts';

/**
 * What the projections need from the event store: the gateway satisfies it as it is; the specs'
 * and the bench's in-memory `$all` does too.
 */
export type ProjectionEventSource = Pick<
  EventStore,
  'subscribeToAll' | 'headPosition' | 'readAllPage'
>;
