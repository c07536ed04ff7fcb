import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { heapUsedAfterGcMetricName } from './heap-after-gc.ts';
import { createMetricsRegistry } from './registry.ts';

async function reported(registry: ReturnType<typeof createMetricsRegistry>): Promise<number> {
  const text = await registry.metrics();
  return Number(
    new RegExp(`^${heapUsedAfterGcMetricName}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1],
  );
}

describe('heap used after the latest full collection', () => {
  it('is reported by every registry once a full collection has run', async () => {
    const registry = createMetricsRegistry();
    // Enough long-lived garbage that V8 runs full collections on its own (no --expose-gc here).
    const deadline = Date.now() + 20_000;
    let kept: unknown[] = [];
    while ((await reported(registry)) === 0 && Date.now() < deadline) {
      kept = Array.from({ length: 200_000 }, (_, index) => ({ index, text: `item ${index}` }));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const value = await reported(registry);
    expect(kept.length).toBe(200_000);
    expect(value).toBeGreaterThan(1024 * 1024);
    expect(value).toBeLessThan(getHeapStatistics().heap_size_limit);
    expect(await reported(createMetricsRegistry())).toBeGreaterThan(0);
  }, 30_000);
});
