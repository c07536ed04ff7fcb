import { Counter, Histogram, Registry } from 'prom-client';

/**
 * Webhook metrics, registered once per registry: the intake and the processor may be created
 * more than once on one registry (tests, a restart in process) and prom-client refuses a second
 * registration of a name.
 */
export interface WebhookMetrics {
  received: Counter<'provider' | 'result'>;
  processed: Counter<'provider' | 'outcome'>;
  failures: Counter<'provider' | 'kind'>;
  lagSeconds: Histogram<'provider'>;
}

const cache = new WeakMap<Registry, WebhookMetrics>();

export function webhookMetrics(registry: Registry | undefined): WebhookMetrics {
  const target = registry ?? new Registry();
  const known = cache.get(target);
  if (known) return known;
  const metrics: WebhookMetrics = {
    received: new Counter({
      name: 'webhook_callbacks_received_total',
      help: 'Callbacks at the intake by result (accepted, duplicate, rejected_signature, ...)',
      labelNames: ['provider', 'result'],
      registers: [target],
    }),
    processed: new Counter({
      name: 'webhook_callbacks_processed_total',
      help: 'Callbacks settled by the processor, by outcome kind',
      labelNames: ['provider', 'outcome'],
      registers: [target],
    }),
    failures: new Counter({
      name: 'webhook_processing_failures_total',
      help: 'Processing attempts that failed (retry) or gave up (parked)',
      labelNames: ['provider', 'kind'],
      registers: [target],
    }),
    lagSeconds: new Histogram({
      name: 'webhook_processing_lag_seconds',
      help: 'Time from a callback being stored to it being processed',
      labelNames: ['provider'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 600],
      registers: [target],
    }),
  };
  cache.set(target, metrics);
  return metrics;
}

/** `refused:CODE: ...` → `refused`: a label with few values. */
export function outcomeKind(outcome: string): string {
  const colon = outcome.indexOf(':');
  return colon < 0 ? outcome : outcome.slice(0, colon);
}
