import type { PositionedEvent } from '../store/record-reader.ts';
import type { ResolvedEvent } from '../store/link-resolution.ts';
import {
  createdTicks,
  streamIdentifier,
  unknownPosition,
  uuidMessage,
  type UuidForm,
} from './codec.ts';
import { shared, streams, type ReadResponse } from './protocol.ts';

type RecordedEvent = InstanceType<typeof streams.ReadResp.ReadEvent.RecordedEvent>;

const jsonContentType = 'application/json';
const binaryContentType = 'application/octet-stream';

function recordedEvent(event: PositionedEvent, uuidForm: UuidForm): RecordedEvent {
  const recorded = new streams.ReadResp.ReadEvent.RecordedEvent()
    .setId(uuidMessage(event.eventId, uuidForm))
    .setStreamIdentifier(streamIdentifier(event.streamName))
    .setStreamRevision(event.revision.toString())
    .setPreparePosition(event.position.toString())
    .setCommitPosition(event.position.toString())
    .setCustomMetadata(event.metadata)
    .setData(event.data);
  const metadata = recorded.getMetadataMap();
  metadata.set('type', event.eventType);
  metadata.set('created', createdTicks(event.createdMs));
  metadata.set('content-type', event.isJson ? jsonContentType : binaryContentType);
  return recorded;
}

export function eventResponse(resolved: ResolvedEvent, uuidForm: UuidForm): ReadResponse {
  const readEvent = new streams.ReadResp.ReadEvent();
  if (resolved.event) readEvent.setEvent(recordedEvent(resolved.event, uuidForm));
  if (resolved.link) readEvent.setLink(recordedEvent(resolved.link, uuidForm));
  const original = resolved.link ?? resolved.event;
  if (original) readEvent.setCommitPosition(original.position.toString());
  else readEvent.setNoPosition(new shared.Empty());
  return new streams.ReadResp().setEvent(readEvent);
}

export function confirmationResponse(subscriptionId: string): ReadResponse {
  return new streams.ReadResp().setConfirmation(
    new streams.ReadResp.SubscriptionConfirmation().setSubscriptionId(subscriptionId),
  );
}

export function checkpointResponse(position: bigint | undefined): ReadResponse {
  const text = position === undefined ? unknownPosition : position.toString();
  return new streams.ReadResp().setCheckpoint(
    new streams.ReadResp.Checkpoint().setCommitPosition(text).setPreparePosition(text),
  );
}

export function caughtUpResponse(): ReadResponse {
  return new streams.ReadResp().setCaughtUp(new streams.ReadResp.CaughtUp());
}

export function streamNotFoundResponse(streamName: string): ReadResponse {
  return new streams.ReadResp().setStreamNotFound(
    new streams.ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(streamName)),
  );
}
