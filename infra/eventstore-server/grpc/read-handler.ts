import { randomUUID } from 'node:crypto';
import type { ServerWritableStream } from '@grpc/grpc-js';
import type { EventStore } from '../store/event-store.ts';
import { resolveEvents } from '../store/link-resolution.ts';
import type { PositionedEvent } from '../store/record-reader.ts';
import { readAll, readStream } from '../store/stream-reads.ts';
import {
  SubscriptionStreamDeleted,
  subscribeToAll,
  subscribeToStream,
  type SubscriptionItem,
} from '../store/subscriptions.ts';
import { streamDeletedError, toRpcError } from './errors.ts';
import type { ReadRequest, ReadResponse } from './protocol.ts';
import { readPlanOf, type ReadPlan } from './read-request.ts';
import {
  caughtUpResponse,
  checkpointResponse,
  confirmationResponse,
  streamNotFoundResponse,
} from './read-messages.ts';
import { cancellationSignal, drained, writeWithBackpressure } from './server-stream-writer.ts';
import { encodeReadEventResponse } from './wire/read-event-encoder.ts';

/** Events go out as pre-encoded Buffers; the rare other responses as generated messages. */
type ReadCall = ServerWritableStream<ReadRequest, ReadResponse | Buffer>;

/** `Streams.Read`: stream and `$all` reads, and catch-up subscriptions to either. */
export function readHandler(store: EventStore, nowMs: () => number): (call: ReadCall) => void {
  return (call) => {
    const cancellation = cancellationSignal(call);
    serveRead(store, call, cancellation.signal, nowMs)
      .then(() => {
        if (!cancellation.signal.aborted) call.end();
      })
      .catch((error: unknown) => {
        if (cancellation.signal.aborted) return;
        call.emit(
          'error',
          error instanceof SubscriptionStreamDeleted
            ? streamDeletedError(error.streamName)
            : toRpcError(error),
        );
      })
      .finally(() => cancellation.end());
  };
}

async function serveRead(
  store: EventStore,
  call: ReadCall,
  signal: AbortSignal,
  nowMs: () => number,
): Promise<void> {
  const plan = readPlanOf(call.request);
  const sendEvents = async (events: readonly PositionedEvent[]): Promise<void> => {
    const resolved = await resolveEvents(store, events, plan.resolveLinks, nowMs());
    // Many messages per turn of the event loop; wait only when grpc-js asks us to.
    for (const event of resolved) {
      if (signal.aborted) return;
      if (!call.write(encodeReadEventResponse(event, plan.uuidForm))) await drained(call, signal);
    }
  };
  if (plan.kind === 'stream-read')
    return serveStreamRead(store, call, plan, sendEvents, signal, nowMs());
  if (plan.kind === 'all-read') {
    for await (const page of readAll(store, plan.start, plan.direction, plan.count, plan.filter)) {
      if (signal.aborted) return;
      await sendEvents(page);
    }
    return;
  }
  await writeWithBackpressure(call, confirmationResponse(randomUUID()), signal);
  const items =
    plan.kind === 'stream-subscription'
      ? subscribeToStream(store, plan.streamName, plan.start, signal, nowMs)
      : subscribeToAll(store, plan.start, plan.filter, signal);
  await serveSubscription(call, items, sendEvents, signal);
}

async function serveStreamRead(
  store: EventStore,
  call: ReadCall,
  plan: Extract<ReadPlan, { kind: 'stream-read' }>,
  sendEvents: (events: readonly PositionedEvent[]) => Promise<void>,
  signal: AbortSignal,
  nowMs: number,
): Promise<void> {
  const result = readStream(store, plan.streamName, plan.start, plan.direction, plan.count, nowMs);
  if (result.kind === 'deleted') throw streamDeletedError(plan.streamName);
  if (result.kind === 'not-found') {
    await writeWithBackpressure(call, streamNotFoundResponse(plan.streamName), signal);
    return;
  }
  for await (const page of result.pages) {
    if (signal.aborted) return;
    await sendEvents(page);
  }
}

async function serveSubscription(
  call: ReadCall,
  items: AsyncGenerator<SubscriptionItem>,
  sendEvents: (events: readonly PositionedEvent[]) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  for await (const item of items) {
    if (signal.aborted) return;
    if (item.kind === 'events') await sendEvents(item.events);
    else if (item.kind === 'checkpoint')
      await writeWithBackpressure(call, checkpointResponse(item.position), signal);
    else await writeWithBackpressure(call, caughtUpResponse(), signal);
  }
}
