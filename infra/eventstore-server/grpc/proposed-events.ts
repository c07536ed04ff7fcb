import type { ProposedEvent } from '../store/event-store.ts';
import { uuidBytes, wireUuidBytes } from './codec.ts';
import { invalidArgumentError, missingMetadataError } from './errors.ts';
import type { Uuid } from './protocol.ts';
import type { WireProposedEvent } from './wire/batch-append-request-decoder.ts';

/** Append and BatchAppend carry the same fields in two different message classes. */
export interface WireProposedMessage {
  getId(): Uuid | undefined;
  getMetadataMap(): { get(key: string): string | undefined };
  getData_asU8(): Uint8Array;
  getCustomMetadata_asU8(): Uint8Array;
}

/** Only "is JSON" is kept, as in ESDB: other content types read back as octet-stream. */
export function proposedEventOf(message: WireProposedMessage): ProposedEvent {
  const metadata = message.getMetadataMap();
  return validated(
    uuidBytes(message.getId()),
    metadata.get('type'),
    metadata.get('content-type'),
    message.getData_asU8(),
    message.getCustomMetadata_asU8(),
  );
}

/** The same for a message decoded by hand (BatchAppend). */
export function proposedEventOfWire(message: WireProposedEvent): ProposedEvent {
  const { metadata } = message;
  return validated(
    wireUuidBytes(message.id),
    metadata.get('type'),
    metadata.get('content-type'),
    message.data,
    message.customMetadata,
  );
}

function validated(
  eventId: Uint8Array | undefined,
  eventType: string | undefined,
  contentType: string | undefined,
  data: Uint8Array,
  metadata: Uint8Array,
): ProposedEvent {
  if (eventType === undefined || contentType === undefined) throw missingMetadataError();
  if (!eventId) throw invalidArgumentError('Event id is missing or is not a UUID.');
  return { eventId, eventType, isJson: contentType === 'application/json', data, metadata };
}

/** ESDB counts only the data bytes against MaxAppendSize (a precedence quirk it keeps). */
export function appendSizeOf(event: ProposedEvent): number {
  return event.data.length;
}
