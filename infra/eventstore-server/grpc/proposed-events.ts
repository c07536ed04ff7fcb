import type { ProposedEvent } from '../store/event-store.ts';
import { uuidBytes } from './codec.ts';
import { invalidArgumentError, missingMetadataError } from './errors.ts';
import type { Uuid } from './protocol.ts';

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
  const eventType = metadata.get('type');
  const contentType = metadata.get('content-type');
  if (eventType === undefined || contentType === undefined) throw missingMetadataError();
  const eventId = uuidBytes(message.getId());
  if (!eventId) throw invalidArgumentError('Event id is missing or is not a UUID.');
  return {
    eventId,
    eventType,
    isJson: contentType === 'application/json',
    data: message.getData_asU8(),
    metadata: message.getCustomMetadata_asU8(),
  };
}

/** ESDB counts only the data bytes against MaxAppendSize (a precedence quirk it keeps). */
export function appendSizeOf(event: ProposedEvent): number {
  return event.data.length;
}
