/** Where a change came from; part of every event's audit metadata. */
export type EventSource = 'api' | 'webhook' | 'reconciliation' | 'system';

/** Who and what caused a command: travels from the edge into every event it produces. */
export interface CommandContext {
  tenantId: string;
  /** API key id, `webhook:<provider>`, or a system component name. */
  actor: string;
  source: EventSource;
  correlationId: string;
  /** The id of the message (request, callback, event) that caused this command. */
  causationId: string;
}

/**
 * Metadata stored with every ledger event. `hash` chains the event to the previous event of its
 * stream (SHA-256 over the previous hash and this event's content), so tampering is detectable.
 */
export interface LedgerEventMetadata {
  correlationId: string;
  causationId: string;
  actor: string;
  source: EventSource;
  tenantId: string;
  schemaVersion: number;
  previousHash: string | null;
  hash: string;
}
