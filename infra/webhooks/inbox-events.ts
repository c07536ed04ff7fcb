/**
 * The inbox's event catalog: a contract the read side projects (`webhook_inbox`). Names are past
 * tense and never renamed; payloads are JSON-safe (times are ISO strings).
 */
export const WEBHOOK_EVENT_TYPE_PREFIX = 'Webhook';
export const INBOX_SCHEMA_VERSION = 1;

export type WebhookReceived = {
  type: 'WebhookReceived';
  data: {
    provider: string;
    providerEventId: string;
    eventType: string;
    /** The raw body exactly as signed, so that it can be re-verified and re-mapped later. */
    payload: string;
    paymentId: string | null;
    receivedAt: string;
  };
};

export type WebhookProcessed = {
  type: 'WebhookProcessed';
  data: {
    provider: string;
    providerEventId: string;
    /** See ProcessingOutcome: applied, already_applied, ignored, or `refused:<CODE>: why`. */
    outcome: string;
    paymentId: string | null;
    processedAt: string;
  };
};

export type WebhookProcessingFailed = {
  type: 'WebhookProcessingFailed';
  data: {
    provider: string;
    providerEventId: string;
    attempt: number;
    error: string;
    nextAttemptAt: string;
    failedAt: string;
  };
};

export type WebhookParked = {
  type: 'WebhookParked';
  data: {
    provider: string;
    providerEventId: string;
    attempts: number;
    error: string;
    parkedAt: string;
  };
};

export type WebhookReplayRequested = {
  type: 'WebhookReplayRequested';
  data: { provider: string; providerEventId: string; requestedBy: string; requestedAt: string };
};

export type WebhookResolvedManually = {
  type: 'WebhookResolvedManually';
  data: {
    provider: string;
    providerEventId: string;
    resolution: string;
    note: string;
    resolvedBy: string;
    resolvedAt: string;
  };
};

export type InboxEvent =
  | WebhookReceived
  | WebhookProcessed
  | WebhookProcessingFailed
  | WebhookParked
  | WebhookReplayRequested
  | WebhookResolvedManually;

export type InboxEventType = InboxEvent['type'];

export const INBOX_EVENT_TYPES: readonly InboxEventType[] = [
  'WebhookReceived',
  'WebhookProcessed',
  'WebhookProcessingFailed',
  'WebhookParked',
  'WebhookReplayRequested',
  'WebhookResolvedManually',
];

/** Events that ask the processor to (re)process a callback. */
export const TRIGGER_EVENT_TYPES: ReadonlySet<string> = new Set([
  'WebhookReceived',
  'WebhookReplayRequested',
]);

/**
 * What the processor subscribes to: the triggers, and an operator's resolution (a callback in
 * hand must then be read before it is acted on). The outcomes a processor writes itself are left
 * out, which halves what it decodes; one written by another instance is caught by the expected
 * revision of the outcome append.
 */
export const PROCESSOR_EVENT_TYPE_PATTERN = '^Webhook(Received|ReplayRequested|ResolvedManually)$';

/** Audit metadata of every inbox event (plus the hash chain the write path adds). */
export interface InboxEventMetadata {
  correlationId: string;
  causationId: string;
  /** `webhook:<provider>` for the intake and the processor, the key id for an operator. */
  actor: string;
  source: 'webhook';
  /** The payment's tenant when known, else '*'. */
  tenantId: string;
  schemaVersion: number;
}
