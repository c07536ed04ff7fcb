/**
 * Scenario 2: the payment command path (create → authorize → capture → refund) end to end through
 * the domain and the official client, next to a raw append of the same events and next to a peer
 * (Emmett's decider command handler over the same domain) against the same embedded server.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EventStoreDBClient, NO_STREAM, jsonEvent } from '@eventstore/db-client';
import { DeciderCommandHandler, STREAM_DOES_NOT_EXIST } from '@event-driven-io/emmett';
import { getEventStoreDBEventStore } from '@event-driven-io/emmett-esdb';
import { decide, evolve } from '../../domain/payment/index.ts';
import type { PaymentCommand } from '../../domain/payment/commands.ts';
import type { PaymentEvent } from '../../domain/payment/events.ts';
import type { PaymentState } from '../../domain/payment/state.ts';
import { parseCurrencyCode } from '../../domain/money/index.ts';
import { startEmbeddedEventStore } from '../../infra/eventstore/embedded-process.ts';
import { EventStore } from '../../infra/eventstore/event-store.ts';
import { createLogger } from '../../infra/logging/logger.ts';
import { PaymentService, type Caller } from '../../infra/write/payment-service.ts';
import { markdownTable, sampleRss, summarizeLatencies, type BenchRow } from './bench-row.ts';

type Flow = () => Promise<void>;

async function runFlows(count: number, concurrency: number, flow: Flow) {
  const durations: number[] = [];
  let next = 0;
  const started = performance.now();
  const rss = sampleRss();
  const worker = async () => {
    while (next < count) {
      next += 1;
      const begin = performance.now();
      await flow();
      durations.push(performance.now() - begin);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedSeconds = (performance.now() - started) / 1000;
  return { throughput: count / elapsedSeconds, latency: summarizeLatencies(durations), rss: rss.stop() };
}

const usd = (() => {
  const parsed = parseCurrencyCode('USD');
  if (!parsed.ok) throw new Error('USD must parse');
  return parsed.value;
})();

function ledgerFlow(service: PaymentService): Flow {
  const caller: Caller = {
    tenantId: 'bench',
    actor: 'bench',
    source: 'system',
    correlationId: 'bench',
    causationId: 'bench',
  };
  return async () => {
    const created = await service.createPayment(caller, {
      idempotencyKey: randomUUID(),
      amount: { amount: '10000', currency: 'USD' },
    });
    const paymentId = created.payment!.id;
    await service.authorizePayment(caller, { paymentId, idempotencyKey: randomUUID() });
    await service.capturePayment(caller, { paymentId, idempotencyKey: randomUUID() });
    const refund = await service.refundPayment(caller, {
      paymentId,
      amount: { amount: '2500', currency: 'USD' },
      idempotencyKey: randomUUID(),
    });
    if (refund.errors.length > 0) throw new Error(JSON.stringify(refund.errors));
  };
}

function commandsFor(paymentId: string, at: string): PaymentCommand[] {
  return [
    {
      type: 'CreatePayment',
      data: { paymentId, tenantId: 'bench', amount: { amount: 10000n, currency: usd }, at },
    },
    { type: 'AuthorizePayment', data: { paymentId, at } },
    { type: 'CapturePayment', data: { paymentId, captureId: randomUUID(), at } },
    {
      type: 'RequestRefund',
      data: { paymentId, refundId: randomUUID(), amount: { amount: 2500n, currency: usd }, at },
    },
  ];
}

type EmmettHandle = ReturnType<typeof emmettHandler>;

function emmettHandler() {
  return DeciderCommandHandler<
    PaymentState | undefined,
    PaymentCommand & { kind?: 'Command' },
    PaymentEvent & { kind?: 'Event' }
  >({
    decide: (command, state) => {
      const decision = decide(command, state);
      if (!decision.ok) throw new Error(decision.error.code);
      return decision.events as Array<PaymentEvent & { kind?: 'Event' }>;
    },
    evolve: (state, event) => evolve(state, event),
    initialState: () => undefined,
    mapToStreamId: (id) => `emmett-payment-${id}`,
  });
}

/**
 * The peer doing the same idempotent workload: Emmett has no idempotency keys of its own, so the
 * flow claims and completes each key on the event store through Emmett's own appendToStream,
 * exactly as the ledger does; `withIdempotency: false` measures Emmett's bare command handler.
 */
function emmettFlow(client: EventStoreDBClient, withIdempotency: boolean): Flow {
  const store = getEventStoreDBEventStore(client);
  const handle: EmmettHandle = emmettHandler();
  const idempotent = async (work: () => Promise<unknown>) => {
    if (!withIdempotency) return work();
    const stream = `emmett-idempotency-${randomUUID()}`;
    await store.appendToStream(stream, [{ type: 'IdempotencyKeyClaimed', data: { at: Date.now() } }], {
      expectedStreamVersion: STREAM_DOES_NOT_EXIST,
    });
    const result = await work();
    await store.appendToStream(
      stream,
      [{ type: 'IdempotencyKeyCompleted', data: { result: JSON.stringify(result ?? null, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)) } }],
      { expectedStreamVersion: 0n },
    );
    return result;
  };
  return async () => {
    const paymentId = randomUUID();
    for (const command of commandsFor(paymentId, new Date().toISOString())) {
      await idempotent(() =>
        handle(store, paymentId, command as PaymentCommand & { kind?: 'Command' }),
      );
    }
  };
}

/**
 * The same events the command path writes, already decided and encoded: only the appends remain.
 * With `withIdempotency`, each command also appends its claim and its completion record, as the
 * ledger does, so the ratio isolates what reading, folding and deciding cost.
 */
function rawFlow(client: EventStoreDBClient, withIdempotency: boolean): Flow {
  return async () => {
    const paymentId = randomUUID();
    let state: PaymentState | undefined;
    const at = new Date().toISOString();
    for (const command of commandsFor(paymentId, at)) {
      const decision = decide(command, state);
      if (!decision.ok) throw new Error(decision.error.code);
      for (const event of decision.events) state = evolve(state, event);
      const claim = `raw-idempotency-${randomUUID()}`;
      if (withIdempotency) {
        await client.appendToStream(claim, jsonEvent({ type: 'IdempotencyKeyClaimed', data: { at } }), {
          expectedRevision: NO_STREAM,
        });
      }
      await client.appendToStream(
        `raw-payment-${paymentId}`,
        decision.events.map((event) => jsonEvent({ type: event.type, data: event.data })),
      );
      if (withIdempotency) {
        await client.appendToStream(claim, jsonEvent({ type: 'IdempotencyKeyCompleted', data: { at } }), {
          expectedRevision: 0n,
        });
      }
    }
  };
}

export async function runCommandPathBench(options: { quick: boolean }): Promise<BenchRow[]> {
  const directory = await mkdtemp(join(tmpdir(), 'ledger-bench-commands-'));
  const server = await startEmbeddedEventStore({
    dataDirectory: directory,
    port: 0,
    logger: createLogger('warn', 'bench'),
    startTimeoutMs: 60_000,
  });
  const client = EventStoreDBClient.connectionString(server.connectionString);
  const gateway = EventStore.connect(server.connectionString);
  const service = new PaymentService(gateway);
  const payments = options.quick ? 300 : 2_000;
  const concurrency = 16;
  try {
    const flows = {
      raw: rawFlow(client, true),
      rawDomainOnly: rawFlow(client, false),
      ledger: ledgerFlow(service),
      emmett: emmettFlow(client, true),
      emmettBare: emmettFlow(client, false),
    };
    for (const flow of Object.values(flows)) await runFlows(Math.min(50, payments), concurrency, flow);
    // Interleaved rounds, so that a noisy neighbour hurts every contender alike.
    const raw = await runFlows(payments, concurrency, flows.raw);
    const ledger = await runFlows(payments, concurrency, flows.ledger);
    const emmett = await runFlows(payments, concurrency, flows.emmett);
    const rawDomainOnly = await runFlows(payments, concurrency, flows.rawDomainOnly);
    const emmettBare = await runFlows(payments, concurrency, flows.emmettBare);
    const row = (
      scenario: string,
      measured: Awaited<ReturnType<typeof runFlows>>,
      reference: string,
      referenceThroughput: number,
      floorRatio?: number,
    ): BenchRow => ({
      scenario,
      operations: payments,
      throughputPerSecond: measured.throughput,
      ...measured.latency,
      peakRssMiB: measured.rss,
      reference,
      referenceThroughputPerSecond: referenceThroughput,
      ratio: measured.throughput / referenceThroughput,
      ...(floorRatio === undefined
        ? {}
        : {
            floor: `≥ ${floorRatio} × reference`,
            floorMet: measured.throughput / referenceThroughput >= floorRatio,
          }),
    });
    return [
      row('command path: payments/s (4 idempotent commands each), 16 concurrent', ledger, 'raw append of the same events (domain + idempotency records)', raw.throughput, 0.5),
      row('command path vs peer', ledger, 'Emmett 0.20 DeciderCommandHandler, same domain, same idempotency records', emmett.throughput, 1),
      row('command path vs raw domain events only', ledger, 'raw append of the domain events alone', rawDomainOnly.throughput),
      row('peer without idempotency: Emmett payments/s', emmettBare, 'raw append of the domain events alone', rawDomainOnly.throughput),
    ];
  } finally {
    await gateway.close();
    await client.dispose();
    await server.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await runCommandPathBench({ quick: process.argv.includes('--quick') });
  process.stdout.write(markdownTable(rows));
}
