import type { SimCallback, SimEventType } from './sim-mapper.ts';

/**
 * Realistic provider histories for the `sim` format, with what the ledger should show after
 * them. Shared by the simulator script, the convergence test and the bench. Amounts are chosen
 * so that every order of arrival is valid (refunds + disputes never exceed the capture), which
 * is what makes "shuffled converges to ordered" a fair property.
 */
export interface ScenarioPayment {
  providerPaymentId: string;
  amount: bigint;
  currency: string;
}

export interface ExpectedPayment {
  status: 'FAILED' | 'VOIDED' | 'CAPTURED' | 'SETTLED';
  capturedAmount: bigint;
  refundedAmount: bigint;
}

export interface PaymentScenario {
  callbacks: SimCallback[];
  expected: ExpectedPayment;
}

/** mulberry32: a small seeded generator, so that a run can be repeated with --seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function shuffle<Item>(items: readonly Item[], random: () => number): Item[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}

/** A fraction of the amount, at least 1 minor unit. */
function part(amount: bigint, random: () => number, share: number): bigint {
  const value = BigInt(Math.floor(Number(amount) * share * (0.2 + 0.8 * random())));
  return value > 0n ? value : 1n;
}

interface Builder {
  add(type: SimEventType, data?: Partial<SimCallback['data']>): void;
  callbacks: SimCallback[];
}

function builder(payment: ScenarioPayment, prefix: string, createdSeconds: number): Builder {
  const callbacks: SimCallback[] = [];
  return {
    callbacks,
    add(type, data = {}) {
      callbacks.push({
        id: `${prefix}_${callbacks.length}`,
        type,
        created: createdSeconds + callbacks.length,
        data: {
          providerPaymentId: payment.providerPaymentId,
          amount: payment.amount.toString(),
          currency: payment.currency,
          ...data,
        },
      });
    },
  };
}

function capturedHistory(payment: ScenarioPayment, random: () => number, add: Builder['add']) {
  const { amount } = payment;
  add('payment.authorized');
  add('payment.captured');
  let refunded = 0n;
  const refundRoll = random();
  if (refundRoll < 0.3) {
    const refund = part(amount, random, 0.3);
    add('refund.succeeded', {
      amount: refund.toString(),
      refundId: `re_${payment.providerPaymentId}_1`,
    });
    refunded += refund;
    if (random() < 0.3) {
      const failed = part(amount, random, 0.2);
      add('refund.failed', {
        amount: failed.toString(),
        refundId: `re_${payment.providerPaymentId}_2`,
      });
    }
  }
  if (random() < 0.12) {
    const disputed = part(amount, random, 0.3);
    const disputeId = `dp_${payment.providerPaymentId}`;
    add('dispute.opened', { amount: disputed.toString(), disputeId });
    add(random() < 0.5 ? 'dispute.won' : 'dispute.lost', {
      amount: disputed.toString(),
      disputeId,
    });
  }
  const settled = random() < 0.1;
  if (settled) add('payment.settled', { fee: part(amount, random, 0.03).toString() });
  return { settled, refunded };
}

export function paymentScenario(
  payment: ScenarioPayment,
  random: () => number,
  createdSeconds: number,
): PaymentScenario {
  const { callbacks, add } = builder(payment, `evt_${payment.providerPaymentId}`, createdSeconds);
  const roll = random();
  if (roll < 0.08) {
    add('payment.failed', { reason: 'card_declined' });
    return { callbacks, expected: { status: 'FAILED', capturedAmount: 0n, refundedAmount: 0n } };
  }
  if (roll < 0.13) {
    add('payment.authorized');
    add('payment.voided', { reason: 'requested_by_customer' });
    return { callbacks, expected: { status: 'VOIDED', capturedAmount: 0n, refundedAmount: 0n } };
  }
  const { settled, refunded } = capturedHistory(payment, random, add);
  return {
    callbacks,
    expected: {
      status: settled ? 'SETTLED' : 'CAPTURED',
      capturedAmount: payment.amount,
      refundedAmount: refunded,
    },
  };
}
