import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentState } from '../../domain/payment/state.ts';
import { ForegroundFirst } from '../../infra/runtime/background-gate.ts';
import { loadCallback } from '../../infra/webhooks/inbox-store.ts';
import type { SimCallback } from '../../infra/webhooks/sim-mapper.ts';
import {
  paymentScenario,
  seededRandom,
  shuffle,
  type PaymentScenario,
} from '../../infra/webhooks/sim-scenario.ts';
import {
  createPayment,
  paymentState,
  postSim,
  startHarness,
  waitFor,
  type Harness,
} from './support.ts';

const paymentCount = 200;
const seed = 20_251_123;

/** What must converge; ids differ between the two runs, so refunds and disputes are by amount. */
function summary(state: PaymentState) {
  const byAmount = (left: { amount: bigint }, right: { amount: bigint }) =>
    Number(left.amount - right.amount);
  return {
    status: state.status,
    authorizedAmount: state.authorizedAmount,
    capturedAmount: state.capturedAmount,
    capturableAmount: state.capturableAmount,
    refundedAmount: state.refundedAmount,
    refundSucceededAmount: state.refundSucceededAmount,
    disputedAmount: state.disputedAmount,
    settledAmount: state.settledAmount,
    feeAmount: state.feeAmount,
    refunds: [...state.refunds.values()]
      .sort(byAmount)
      .map((refund) => [refund.amount, refund.status]),
    disputes: [...state.disputes.values()]
      .sort(byAmount)
      .map((dispute) => [dispute.amount, dispute.status]),
  };
}

async function inBatches<Item>(
  items: readonly Item[],
  size: number,
  work: (item: Item) => Promise<void>,
) {
  for (let start = 0; start < items.length; start += size) {
    await Promise.all(items.slice(start, start + size).map(work));
  }
}

describe('out-of-order convergence', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
    // Giving way to a foreground pressed half the time: the processor keeps closing its
    // subscription and resuming it, which must neither skip nor repeat a callback.
    const gate = new ForegroundFirst({
      pressed: () => Math.floor(Date.now() / 70) % 2 === 0,
      pauseMs: 40,
      sliceMs: 20,
    });
    harness.startProcessor({ attemptsMax: 12, baseDelayMs: 50, delayMaxMs: 500 }, gate);
  });
  afterAll(async () => {
    await harness?.stop();
  });

  async function prepare(
    prefix: string,
  ): Promise<{ paymentIds: string[]; scenarios: PaymentScenario[] }> {
    const random = seededRandom(seed);
    const created = Math.floor(Date.now() / 1000);
    const scenarios = Array.from({ length: paymentCount }, (_, index) => {
      const amount = BigInt(1_000 + Math.floor(random() * 99_000));
      return paymentScenario(
        { providerPaymentId: `${prefix}_${index}`, amount, currency: 'USD' },
        random,
        created,
      );
    });
    const paymentIds: string[] = [];
    await inBatches([...scenarios.keys()], 25, async (index) => {
      const scenario = scenarios[index]!;
      const data = scenario.callbacks[0]!.data;
      paymentIds[index] = await createPayment(
        harness,
        data.providerPaymentId!,
        BigInt(
          scenario.callbacks.find(
            (callback) =>
              callback.type === 'payment.authorized' || callback.type === 'payment.failed',
          )!.data.amount,
        ),
      );
    });
    return { paymentIds, scenarios };
  }

  /** One poller for many callbacks: many concurrent pollers would load the store themselves. */
  async function allProcessed(callbacks: readonly SimCallback[]) {
    const pending = [...new Set(callbacks.map((callback) => callback.id))];
    await waitFor(
      async () => {
        // Roughly first in, first out: stop at the first one still waiting, instead of reading all.
        while (pending.length > 0) {
          const state = await loadCallback(harness.store.eventStore, 'sim', pending[0]!);
          if (state?.status !== 'processed') return undefined;
          pending.shift();
        }
        return true;
      },
      90_000,
      'all callbacks processed',
      50,
    );
  }

  it('a shuffled, duplicated sequence for 200 payments ends where the ordered one does', async () => {
    const prefix = `conv${Date.now().toString(36)}`;
    const ordered = await prepare(`${prefix}_o`);
    // Ordered: round r sends every payment's r-th callback, and waits until they are processed.
    const rounds = Math.max(...ordered.scenarios.map((scenario) => scenario.callbacks.length));
    for (let round = 0; round < rounds; round += 1) {
      const batch = ordered.scenarios.flatMap((scenario) =>
        scenario.callbacks.slice(round, round + 1),
      );
      await inBatches(batch, 32, async (callback) => {
        expect((await postSim(harness, callback)).status).toBe(202);
      });
      await allProcessed(batch);
    }
    const shuffledRun = await prepare(`${prefix}_s`);
    const random = seededRandom(seed + 1);
    const all = shuffledRun.scenarios.flatMap((scenario) => scenario.callbacks);
    const withDuplicates = shuffle([...all, ...all.filter(() => random() < 0.1)], random);
    await inBatches(withDuplicates, 32, async (callback) => {
      expect([200, 202]).toContain((await postSim(harness, callback)).status);
    });
    await allProcessed(all);

    for (let index = 0; index < paymentCount; index += 1) {
      const orderedState = await paymentState(harness, ordered.paymentIds[index]!);
      const shuffledState = await paymentState(harness, shuffledRun.paymentIds[index]!);
      expect(summary(shuffledState)).toEqual(summary(orderedState));
      const expected = ordered.scenarios[index]!.expected;
      expect({
        status: orderedState.status,
        capturedAmount: orderedState.capturedAmount,
        refundedAmount: orderedState.refundedAmount,
      }).toEqual(expected);
    }
  }, 110_000);
});
