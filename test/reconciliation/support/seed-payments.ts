import type { PaymentCommand, PaymentEvent, PaymentState } from '../../../domain/payment/index.ts';
import type { CurrencyCode } from '../../../domain/money/index.ts';
import type { EventStore } from '../../../infra/eventstore/event-store.ts';
import { prepareEvents } from '../../../infra/write/aggregate-store.ts';
import type { CommandContext } from '../../../infra/write/event-metadata.ts';
import { paymentAggregate } from '../../../infra/write/payment-aggregate.ts';

/** How far a seeded payment goes; refunds, disputes and a settlement are optional extras. */
export interface SeedPayment {
  paymentId: string;
  tenantId: string;
  amount: bigint;
  currency: CurrencyCode;
  providerPaymentId: string | null;
  createdAt: string;
  stage: 'initiated' | 'authorized' | 'captured' | 'voided' | 'failed';
  refund?: { refundId: string; amount: bigint };
  dispute?: { disputeId: string; amount: bigint };
  settlement?: { settlementId: string; amount: bigint; fee: bigint };
}

function later(at: string, seconds: number): string {
  return new Date(Date.parse(at) + seconds * 1000).toISOString();
}

function lifecycle(seed: SeedPayment): PaymentCommand[] {
  const { paymentId, createdAt: at } = seed;
  const money = (amount: bigint) => ({ amount, currency: seed.currency });
  const commands: PaymentCommand[] = [
    {
      type: 'CreatePayment',
      data: {
        paymentId,
        tenantId: seed.tenantId,
        amount: money(seed.amount),
        providerPaymentId: seed.providerPaymentId,
        provider: 'stripe',
        at,
      },
    },
  ];
  if (seed.stage === 'failed')
    return [
      ...commands,
      { type: 'FailPayment', data: { paymentId, reason: 'card declined', at: later(at, 1) } },
    ];
  if (seed.stage === 'initiated') return commands;
  commands.push({ type: 'AuthorizePayment', data: { paymentId, at: later(at, 1) } });
  if (seed.stage === 'voided')
    commands.push({ type: 'VoidPayment', data: { paymentId, at: later(at, 2) } });
  if (seed.stage !== 'captured') return commands;
  commands.push({
    type: 'CapturePayment',
    data: { paymentId, captureId: `cap-${paymentId}`, at: later(at, 2) },
  });
  if (seed.refund) {
    const { refundId, amount } = seed.refund;
    commands.push({
      type: 'RequestRefund',
      data: { paymentId, refundId, amount: money(amount), at: later(at, 3600) },
    });
  }
  if (seed.dispute) {
    const { disputeId, amount } = seed.dispute;
    commands.push({
      type: 'OpenDispute',
      data: { paymentId, disputeId, amount: money(amount), at: later(at, 7200) },
    });
  }
  if (seed.settlement) {
    const { settlementId, amount, fee } = seed.settlement;
    const data = {
      paymentId,
      settlementId,
      amount: money(amount),
      fee: money(fee),
      at: later(at, 3),
    };
    commands.push({ type: 'SettlePayment', data });
  }
  return commands;
}

/** The events the payment's own decider makes of the seed, refused commands being a bug. */
export function seedEvents(seed: SeedPayment): PaymentEvent[] {
  let state: PaymentState | undefined;
  const events: PaymentEvent[] = [];
  for (const command of lifecycle(seed)) {
    const decision = paymentAggregate.decide(command, state);
    if (!decision.ok)
      throw new Error(`seed ${seed.paymentId}: ${decision.error.code} ${decision.error.message}`);
    for (const event of decision.events) {
      state = paymentAggregate.evolve(state, event);
      events.push(event);
    }
  }
  return events;
}

/**
 * Writes payments straight to their streams: decided by the real decider, encoded and
 * hash-chained by the real write path (`prepareEvents`), one append per payment, `concurrency`
 * at a time. Much faster than a command per step, and the streams are the same.
 */
export async function seedPayments(
  store: EventStore,
  seeds: readonly SeedPayment[],
  concurrency = 32,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < seeds.length; index = next++) {
      const seed = seeds[index];
      if (seed === undefined) continue;
      const context: CommandContext = {
        tenantId: seed.tenantId,
        actor: 'test-seed',
        source: 'system',
        correlationId: seed.paymentId,
        causationId: seed.paymentId,
      };
      const stream = paymentAggregate.streamName(seed.paymentId);
      const prepared = prepareEvents(
        paymentAggregate.encode,
        stream,
        seedEvents(seed),
        0n,
        null,
        context,
      );
      await store.append(stream, prepared, 'no_stream');
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
