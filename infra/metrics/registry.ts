import { Registry, collectDefaultMetrics } from 'prom-client';
import { registerHeapAfterGc } from './heap-after-gc.ts';

/** One registry per process; modules register their own collectors on it. */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'payment-ledger' });
  collectDefaultMetrics({ register: registry });
  registerHeapAfterGc(registry);
  return registry;
}
