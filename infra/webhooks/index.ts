/** What the composition root and the GraphQL layer use from the webhook processing side. */
export { startWebhookProcessor } from './processor.ts';
export type {
  WebhookProcessor,
  WebhookProcessorOptions,
  WebhookProcessorStats,
} from './processor.ts';
export { createWebhookOperations, MANUAL_RESOLUTIONS } from './operator.ts';
export type {
  ManualResolution,
  Operator,
  OperatorErrorCode,
  OperatorResult,
  WebhookOperations,
} from './operator.ts';
export { LISTED_STATES } from './callback-view.ts';
export type { CallbackView, ListedState } from './callback-view.ts';
export { LIST_LIMIT_MAX } from './list-callbacks.ts';
export type { CallbackPage, ListCallbacksFilter } from './list-callbacks.ts';
export { defaultRetryPolicy } from './retry-policy.ts';
export type { RetryPolicy } from './retry-policy.ts';
export { INBOX_EVENT_TYPES, WEBHOOK_EVENT_TYPE_PREFIX } from './inbox-events.ts';
export type { InboxEvent, InboxEventType } from './inbox-events.ts';
export { inboxStreamName, KNOWN_PROVIDERS } from './inbox-stream.ts';
