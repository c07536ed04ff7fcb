import type { EventToAppend, JsonObject, StoredEvent } from '../../infra/eventstore/event-store.ts';
import { computeEventHash } from '../../infra/write/hash-chain.ts';
import { currentSchemaVersion, isPaymentEventType } from '../../domain/events/codec.ts';

/**
 * Valid, hash-chained event streams for the projection specs and the bench: a payment's life
 * chosen by a seeded random source, and sometimes a webhook inbox stream beside it.
 */
export interface GeneratedStream {
  stream: string;
  events: EventToAppend[];
}

export interface LifecycleOptions {
  paymentId: string;
  tenantId: string;
  currency: string;
  startMs: number;
  /** Adds a webhook inbox stream for the payment. */
  withWebhook?: boolean;
}

/** A small deterministic PRNG (mulberry32): same seed, same ledger. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A version-4-shaped UUID from the seeded source, so that a seed always gives the same ids. */
export function seededUuid(random: () => number): string {
  let hex = '';
  for (let index = 0; index < 4; index += 1) {
    hex += Math.floor(random() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0');
  }
  const variant = hex.slice(17, 20);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${variant}-${hex.slice(20, 32)}`;
}

function between(random: () => number, min: bigint, max: bigint): bigint {
  if (max <= min) return min;
  return min + BigInt(Math.floor(random() * Number(max - min + 1n)));
}

class StreamWriter {
  readonly events: EventToAppend[] = [];
  private previousHash: string | null = null;
  private clockMs: number;

  constructor(
    readonly stream: string,
    private readonly tenantId: string,
    startMs: number,
    private readonly random: () => number,
  ) {
    this.clockMs = startMs;
  }

  /** The next business instant, a few minutes after the previous one. */
  tick(minutes = 5): string {
    this.clockMs += minutes * 60_000;
    return new Date(this.clockMs).toISOString();
  }

  add(type: string, data: JsonObject, source = 'api', tenantId = this.tenantId): void {
    const metadataWithoutHash: JsonObject = {
      correlationId: seededUuid(this.random),
      causationId: seededUuid(this.random),
      actor: source === 'webhook' ? 'webhook:acme' : 'api-key:test',
      source,
      tenantId,
      schemaVersion: isPaymentEventType(type) ? currentSchemaVersion(type) : 1,
      previousHash: this.previousHash,
    };
    const hash = computeEventHash({
      previousHash: this.previousHash,
      stream: this.stream,
      revision: BigInt(this.events.length),
      type,
      data,
      metadataWithoutHash,
    });
    this.events.push({
      id: seededUuid(this.random),
      type,
      data,
      metadata: { ...metadataWithoutHash, hash },
    });
    this.previousHash = hash;
  }
}

function captureAndSettle(
  write: StreamWriter,
  random: () => number,
  amount: bigint,
  base: JsonObject,
) {
  const first = random() < 0.3 ? between(random, 1n, amount - 1n) : amount;
  write.add('PaymentCaptured', {
    ...base,
    captureId: 'cap_1',
    amount: String(first),
    capturedAt: write.tick(),
  });
  let captured = first;
  if (first < amount && random() < 0.5) {
    const rest = String(amount - first);
    write.add('PaymentCaptured', {
      ...base,
      captureId: 'cap_2',
      amount: rest,
      capturedAt: write.tick(),
    });
    captured = amount;
  }
  if (random() < 0.5) {
    const fee = (captured * 3n) / 100n;
    write.add('PaymentSettled', {
      ...base,
      settlementId: 'set_1',
      amount: String(captured),
      fee: String(fee),
      net: String(captured - fee),
      settledAt: write.tick(60),
    });
  }
  return captured;
}

function refundAndDispute(
  write: StreamWriter,
  random: () => number,
  captured: bigint,
  base: JsonObject,
) {
  let refunded = 0n;
  if (random() < 0.3) {
    refunded = between(random, 1n, captured);
    const refund = { ...base, refundId: 'ref_1', amount: String(refunded) };
    write.add('RefundRequested', { ...refund, reason: null, requestedAt: write.tick() });
    if (random() < 0.8) write.add('RefundSucceeded', { ...refund, succeededAt: write.tick() });
    else {
      write.add('RefundFailed', { ...refund, reason: 'declined', failedAt: write.tick() });
      refunded = 0n;
    }
  }
  if (captured - refunded > 0n && random() < 0.1) {
    const dispute = {
      ...base,
      disputeId: 'dsp_1',
      amount: String(between(random, 1n, captured - refunded)),
    };
    write.add('DisputeOpened', { ...dispute, reason: 'fraudulent', openedAt: write.tick() });
    const outcome = random() < 0.5 ? 'DisputeWon' : 'DisputeLost';
    if (random() < 0.8) write.add(outcome, { ...dispute, resolvedAt: write.tick(600) });
  }
}

/** One payment's stream: initiated, then failed, voided, expired or captured (and more). */
export function paymentLifecycle(
  random: () => number,
  options: LifecycleOptions,
): GeneratedStream[] {
  const write = new StreamWriter(
    `payment-${options.paymentId}`,
    options.tenantId,
    options.startMs,
    random,
  );
  const amount = between(random, 100n, 100_000n);
  const base = { paymentId: options.paymentId, currency: options.currency };
  write.add('PaymentInitiated', {
    ...base,
    tenantId: options.tenantId,
    amount: String(amount),
    reference: `order-${options.paymentId}`,
    providerPaymentId: `pi_${options.paymentId}`,
    provider: 'acme',
    captureMode: 'manual',
    authorizationExpiresAt: null,
    initiatedAt: write.tick(0),
  });
  const fate = random();
  if (fate < 0.05) {
    write.add('PaymentFailed', {
      paymentId: options.paymentId,
      reason: 'card_declined',
      failedAt: write.tick(),
    });
  } else {
    write.add('PaymentAuthorized', {
      ...base,
      amount: String(amount),
      authorizationId: `auth_${options.paymentId}`,
      captureExpiresAt: null,
      authorizedAt: write.tick(),
    });
    if (fate < 0.1)
      write.add('PaymentVoided', {
        paymentId: options.paymentId,
        reason: null,
        voidedAt: write.tick(),
      });
    else if (fate < 0.13)
      write.add('PaymentExpired', { paymentId: options.paymentId, expiredAt: write.tick(600) });
    else refundAndDispute(write, random, captureAndSettle(write, random, amount, base), base);
  }
  const streams = [{ stream: write.stream, events: write.events }];
  if (options.withWebhook) streams.push(webhookInbox(random, options));
  return streams;
}

function webhookInbox(random: () => number, options: LifecycleOptions): GeneratedStream {
  const providerEventId = `evt_${options.paymentId}`;
  const write = new StreamWriter(`webhook-acme-${providerEventId}`, '*', options.startMs, random);
  const identity = { provider: 'acme', providerEventId };
  write.add(
    'WebhookReceived',
    {
      ...identity,
      eventType: 'payment.captured',
      payload: JSON.stringify({ id: providerEventId }),
      paymentId: null,
      receivedAt: write.tick(),
    },
    'webhook',
  );
  if (random() < 0.3) {
    const error = 'payment not found yet';
    write.add(
      'WebhookProcessingFailed',
      { ...identity, attempt: 1, error, nextAttemptAt: write.tick(1), failedAt: write.tick(0) },
      'webhook',
    );
    if (random() < 0.5) {
      write.add(
        'WebhookParked',
        { ...identity, attempts: 5, error, parkedAt: write.tick() },
        'webhook',
      );
      write.add(
        'WebhookReplayRequested',
        { ...identity, requestedBy: 'ops@example.com', requestedAt: write.tick() },
        'system',
      );
    }
  }
  // Once matched to its payment, the callback's events carry the payment's tenant.
  const processed = {
    ...identity,
    outcome: 'applied',
    paymentId: options.paymentId,
    processedAt: write.tick(),
  };
  write.add('WebhookProcessed', processed, 'webhook', options.tenantId);
  return { stream: write.stream, events: write.events };
}

/**
 * Streams interleaved into one `$all` order (each stream keeps its own order), as the store
 * would hand them to a subscription, with positions from `firstPosition` in steps of `step`.
 */
export function interleave(
  streams: readonly GeneratedStream[],
  random: () => number,
  firstPosition = 100n,
  step = 10n,
): StoredEvent[] {
  const cursors = streams.map((stream) => ({ stream, next: 0 }));
  const stored: StoredEvent[] = [];
  let position = firstPosition;
  for (let guard = 0; cursors.length > 0 && guard < 10_000_000; guard += 1) {
    const index = Math.floor(random() * cursors.length);
    const cursor = cursors[index];
    if (cursor === undefined) break;
    const event = cursor.stream.events[cursor.next];
    if (event === undefined) throw new Error('generator produced an empty stream');
    stored.push({
      ...event,
      stream: cursor.stream.stream,
      revision: BigInt(cursor.next),
      position,
      recordedAt: new Date(Date.UTC(2025, 0, 1) + stored.length),
    });
    position += step;
    cursor.next += 1;
    if (cursor.next >= cursor.stream.events.length) cursors.splice(index, 1);
  }
  return stored;
}

/** A ledger of `payments` payments over a few tenants and currencies. */
export function generateLedger(seed: number, payments: number): GeneratedStream[] {
  const random = seededRandom(seed);
  const currencies = ['USD', 'EUR', 'JPY'];
  const streams: GeneratedStream[] = [];
  for (let index = 0; index < payments; index += 1) {
    streams.push(
      ...paymentLifecycle(random, {
        paymentId: `pay_${seed}_${index}`,
        tenantId: `tenant_${index % 3}`,
        currency: currencies[index % currencies.length] ?? 'USD',
        startMs: Date.UTC(2025, 0, 1) + index * 1_000,
        withWebhook: random() < 0.2,
      }),
    );
  }
  return streams;
}
