import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { expect } from 'vitest';
import { EventStore } from '../../../infra/eventstore/event-store.ts';
import { heapUsedAfterGcMetricName } from '../../../infra/metrics/heap-after-gc.ts';
import { createPool } from '../../../infra/postgres/pool.ts';
import { allProjections } from '../../../projections/registry.ts';
import { verifyLedger } from '../../../projections/verify/verify.ts';
import {
  graphql,
  makeKeys,
  mutate,
  payloadOf,
  postSimCallback,
  readAllEvents,
  type MutationName,
  type MutationPayload,
} from './client.ts';
import { delay, startStack, waitUntil } from './processes.ts';

export interface SoakOptions {
  durationMs: number;
  workers: number;
  /**
   * Largest growth of the API's RSS from warm-up to the end, in MiB; undefined = sampled and
   * reported only. RSS also follows how far V8 lets the heap grow; with the API's heap cap
   * (infra/runtime/node-flags.ts) it stays within a few MiB once warm.
   */
  rssGrowthMaxMiB?: number;
  /**
   * Largest growth of the API's live heap (V8 heap in use right after a full collection) from
   * warm-up to the end, in MiB: garbage and heap sizing do not move it, so it is steady enough
   * for the short form too. The two leaks fixed so far grew it by about 4 MiB a minute here.
   */
  heapGrowthMaxMiB?: number;
}

export interface SoakReport {
  commands: number;
  duplicates: number;
  queries: number;
  callbacks: number;
  rssMiB: number[];
  /** The API's heap in use after its latest full collection, per sample (0: none yet). */
  heapAfterGcMiB: number[];
}

const currencies = ['USD', 'EUR', 'JPY'] as const;

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? '0');
  return Math.round(kib / 1024);
}

async function heapAfterGcMiB(url: string): Promise<number> {
  const text = await (
    await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })
  ).text();
  const pattern = new RegExp(`^${heapUsedAfterGcMetricName}(?:\\{[^}]*\\})? (\\S+)$`, 'm');
  return Math.round(Number(pattern.exec(text)?.[1] ?? 0) / 2 ** 20);
}

/** Growth of the median of the last quarter of samples over the median of the second one. */
function growth(samples: readonly number[]): number {
  const warm = samples.slice(Math.floor(samples.length / 4), Math.floor(samples.length / 2));
  const end = samples.slice(-Math.max(1, Math.floor(samples.length / 4)));
  return median(end) - median(warm);
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/**
 * Mixed load for a bounded time: commands (a share sent twice at once with the same key, as a
 * client retrying too early), queries, and signed provider callbacks (each delivered twice).
 * Then: no acknowledged effect lost or doubled (event store against client records), journal
 * balanced per currency, `verify` clean, the API's RSS flat.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const simSecret = `sim-soak-${randomUUID()}`;
  const { keys, configuration } = makeKeys();
  const stack = await startStack(configuration, {
    WEBHOOK_SECRET_SIM: simSecret,
    LOG_LEVEL: 'warn',
  });
  const url = stack.api.url;
  const key = keys.acmeAll.key;
  const report: SoakReport = {
    commands: 0,
    duplicates: 0,
    queries: 0,
    callbacks: 0,
    rssMiB: [],
    heapAfterGcMiB: [],
  };
  const acknowledged = new Map<MutationName, Set<string>>();
  const refundsSucceeded = new Set<string>();
  const remember = (name: MutationName, id: string) => {
    const ids = acknowledged.get(name) ?? new Set<string>();
    ids.add(id);
    acknowledged.set(name, ids);
  };
  const deadline = Date.now() + options.durationMs;

  async function command(
    name: MutationName,
    input: Record<string, unknown>,
  ): Promise<MutationPayload> {
    const withKey = { ...input, idempotencyKey: randomUUID() };
    const twice = Math.random() < 0.2;
    const answers = await Promise.all(
      Array.from({ length: twice ? 2 : 1 }, () => mutate(url, key, name, withKey, 30_000)),
    );
    report.commands += 1;
    if (twice) report.duplicates += 1;
    const payloads = answers.map((answer) => payloadOf(answer, name));
    expect(payloads[0], answers[0]!.text).toBeDefined();
    // A duplicate gets the first result, never a second effect.
    if (twice) expect(payloads[1]).toEqual(payloads[0]);
    const payload = payloads[0]!;
    expect(payload.errors, answers[0]!.text).toEqual([]);
    return payload;
  }

  async function paymentLife(): Promise<void> {
    const currency = currencies[Math.floor(Math.random() * currencies.length)]!;
    const created = await command('createPayment', { amount: { amount: '10000', currency } });
    const paymentId = created.payment!.id;
    remember('createPayment', paymentId);
    await command('authorizePayment', { paymentId });
    const captured = await command('capturePayment', {
      paymentId,
      amount: { amount: '8000', currency },
    });
    remember('capturePayment', `${paymentId}:${captured.payment!.status}`);
    const refunded = await command('refundPayment', {
      paymentId,
      amount: { amount: '1500', currency },
    });
    const refundId = refunded.refund!.id;
    remember('refundPayment', refundId);
    const callback = {
      id: `evt_${randomUUID()}`,
      type: 'refund.succeeded',
      created: Math.floor(Date.now() / 1000),
      data: { paymentId, refundId, amount: '1500', currency },
    };
    const deliveries = await Promise.all([
      postSimCallback(url, simSecret, callback),
      postSimCallback(url, simSecret, callback),
    ]);
    report.callbacks += 2;
    expect(deliveries.map((delivery) => delivery.status).sort()).toEqual([200, 202]);
    refundsSucceeded.add(refundId);
    const list = await graphql(
      url,
      keys.acmeRead.key,
      '{ payments(first: 20) { edges { node { id status } } } trialBalance(currency: "USD") { total { amount } } }',
    );
    expect(list.status).toBe(200);
    expect(list.body?.errors).toBeUndefined();
    report.queries += 1;
  }

  const sampler = (async () => {
    while (Date.now() < deadline) {
      report.rssMiB.push(await rssMiB(stack.api.process.pid!));
      report.heapAfterGcMiB.push(await heapAfterGcMiB(url));
      await delay(Math.min(5_000, Math.max(500, options.durationMs / 60)));
    }
  })();
  try {
    await Promise.all(
      Array.from({ length: options.workers }, async () => {
        for (let life = 0; life < 1_000_000 && Date.now() < deadline; life += 1)
          await paymentLife();
      }),
    );
    await sampler;
    await checkStores(
      stack.store.connectionString,
      stack.databaseUrl,
      acknowledged,
      refundsSucceeded,
    );
    const head = await (async () => {
      const store = EventStore.connect(stack.store.connectionString);
      try {
        return await store.headPosition();
      } finally {
        await store.close();
      }
    })();
    for (const currency of currencies) {
      const balance = await graphql(
        url,
        keys.acmeRead.key,
        `{ trialBalance(currency: "${currency}") { total { amount } debits { amount } } }`,
        {},
        { headers: { 'x-consistency-token': head.toString() } },
      );
      expect(balance.body?.data?.trialBalance, balance.text).toMatchObject({
        total: { amount: '0' },
      });
    }
    if (options.rssGrowthMaxMiB !== undefined) {
      expect(
        growth(report.rssMiB),
        `RSS samples (MiB): ${report.rssMiB.join(' ')}`,
      ).toBeLessThanOrEqual(options.rssGrowthMaxMiB);
    }
    if (options.heapGrowthMaxMiB !== undefined) {
      const samples = report.heapAfterGcMiB.filter((value) => value > 0);
      expect(samples.length, 'samples after the first full collection').toBeGreaterThan(8);
      expect(growth(samples), `live heap samples (MiB): ${samples.join(' ')}`).toBeLessThanOrEqual(
        options.heapGrowthMaxMiB,
      );
    }
    return report;
  } finally {
    await stack.stop();
  }
}

/** The event store against the clients' records; then `verify` on the read side. */
async function checkStores(
  connectionString: string,
  databaseUrl: string,
  acknowledged: Map<MutationName, Set<string>>,
  refundsSucceeded: Set<string>,
): Promise<void> {
  const store = EventStore.connect(connectionString);
  const pool = createPool({
    connectionString: databaseUrl,
    maxConnections: 2,
    applicationName: 'soak-verify',
  });
  try {
    const events = await waitUntil(
      async () => {
        const all = await readAllEvents(store);
        const succeeded = all.filter((event) => event.type === 'RefundSucceeded').length;
        return succeeded >= refundsSucceeded.size ? all : undefined;
      },
      60_000,
      'the callbacks to be applied',
      500,
    );
    const ids = (type: string, field: string) =>
      events.filter((event) => event.type === type).map((event) => String(event.data[field]));
    const sorted = (values: Iterable<string>) => [...values].sort();
    expect(sorted(ids('PaymentInitiated', 'paymentId'))).toEqual(
      sorted(acknowledged.get('createPayment') ?? []),
    );
    expect(ids('PaymentCaptured', 'paymentId')).toHaveLength(
      acknowledged.get('capturePayment')?.size ?? 0,
    );
    expect(sorted(ids('RefundRequested', 'refundId'))).toEqual(
      sorted(acknowledged.get('refundPayment') ?? []),
    );
    expect(sorted(ids('RefundSucceeded', 'refundId'))).toEqual(sorted(refundsSucceeded));
    const report = await verifyLedger({
      pool,
      eventStore: store,
      projections: allProjections,
      batchSize: 2_000,
    });
    expect(report.chains.broken).toEqual([]);
    expect(report.projections.filter((item) => item.drift || item.inconclusive)).toEqual([]);
  } finally {
    await pool.end();
    await store.close();
  }
}
