import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { Gauge, type Registry } from 'prom-client';

/**
 * The V8 heap in use just after the latest full (mark-compact) collection: what is really
 * alive. Heap used and RSS also move with garbage not yet collected and with how far V8 lets
 * the heap grow, so only this figure tells a leak from load: flat under steady load, no leak.
 * Read when the collection is reported (a few milliseconds later), so it includes what was
 * allocated meanwhile: at most the young generation.
 */
let usedAfterMajorGcBytes: number | undefined;
let observer: PerformanceObserver | undefined;

function isMajor(entry: PerformanceEntry): boolean {
  const detail = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail;
  return detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;
}

/** One observer per process, however many registries report it. */
function observeMajorCollections(): void {
  if (observer) return;
  observer = new PerformanceObserver((list) => {
    if (list.getEntries().some(isMajor)) usedAfterMajorGcBytes = getHeapStatistics().used_heap_size;
  });
  observer.observe({ entryTypes: ['gc'] });
}

export const heapUsedAfterGcMetricName = 'nodejs_heap_used_after_major_gc_bytes';

export function registerHeapAfterGc(registry: Registry): void {
  observeMajorCollections();
  new Gauge({
    name: heapUsedAfterGcMetricName,
    help: 'V8 heap in use right after the latest full collection (0 before the first one).',
    registers: [registry],
    collect() {
      this.set(usedAfterMajorGcBytes ?? 0);
    },
  });
}
