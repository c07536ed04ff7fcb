import fc from 'fast-check';
import type { Decision } from '../../errors.ts';
import type { CurrencyCode, Money } from '../../money/index.ts';
import type { PaymentCommand } from '../commands.ts';
import { decide } from '../decide.ts';
import type { PaymentEvent } from '../events.ts';
import { evolve } from '../evolve.ts';
import type { PaymentState } from '../state.ts';
import { at, currency } from './fixtures.ts';

/**
 * Random command sequences for the property specs. Ids come from small pools and amounts from
 * a narrow range so that sequences often collide: retries, reused ids, limits reached exactly,
 * refunds racing disputes. Two payments in two currencies exercise per-currency journals.
 */
export const PAYMENTS: readonly { paymentId: string; currency: CurrencyCode }[] = [
  { paymentId: 'pay_usd', currency: currency('USD') },
  { paymentId: 'pay_jpy', currency: currency('JPY') },
];
const OTHER_CURRENCY = currency('KWD');

// Mostly inside the authorization window (60 minutes), sometimes well past it.
const time = fc
  .oneof(
    { weight: 5, arbitrary: fc.nat({ max: 50 }) },
    { weight: 1, arbitrary: fc.nat({ max: 120 }) },
  )
  .map(at);
const reason = fc.option(fc.constantFrom('customer_request', 'fraudulent'), { nil: null });

function amountIn(code: CurrencyCode, max: bigint): fc.Arbitrary<Money> {
  const amount = fc.oneof(
    { weight: 12, arbitrary: fc.bigInt({ min: 1n, max }) },
    { weight: 1, arbitrary: fc.bigInt({ min: -2n, max: 0n }) },
  );
  const currencyCode = fc.oneof(
    { weight: 15, arbitrary: fc.constant(code) },
    { weight: 1, arbitrary: fc.constant(OTHER_CURRENCY) },
  );
  return fc.record({ amount, currency: currencyCode });
}

const id = (prefix: string, count: number) =>
  fc.integer({ min: 1, max: count }).map((n) => `${prefix}_${n}`);

/**
 * Field generators per command type, with how often each type is drawn. Closing commands are
 * rare so that most sequences live long enough to refund and dispute.
 */
function commandFields(code: CurrencyCode) {
  const money = amountIn(code, 600n);
  const optionalMoney = (max: bigint) => fc.option(amountIn(code, max), { nil: undefined });
  const refundId = id('ref', 4);
  const disputeId = id('dis', 3);
  const fields: { [Type in PaymentCommand['type']]: [number, fc.Arbitrary<object>] } = {
    CreatePayment: [
      1,
      fc.record({
        tenantId: fc.constant('tenant_1'),
        amount: fc.constant({ amount: 1000n, currency: code }),
        authorizationExpiresAt: fc.constant(at(60)),
        at: time,
      }),
    ],
    AuthorizePayment: [
      4,
      fc.record({
        amount: optionalMoney(1100n),
        captureExpiresAt: fc.option(fc.constant(at(100)), { nil: undefined }),
        at: time,
      }),
    ],
    CapturePayment: [
      6,
      fc.record({ captureId: id('cap', 3), amount: optionalMoney(600n), at: time }),
    ],
    VoidPayment: [1, fc.record({ reason, at: time })],
    FailPayment: [1, fc.record({ reason: fc.constant('declined'), at: time })],
    ExpirePayment: [1, fc.record({ at: time })],
    SettlePayment: [
      2,
      fc.record({
        settlementId: id('set', 2),
        amount: money,
        fee: amountIn(code, 40n),
        at: time,
      }),
    ],
    RequestRefund: [6, fc.record({ refundId, amount: money, reason, at: time })],
    CompleteRefund: [4, fc.record({ refundId, at: time })],
    FailRefund: [2, fc.record({ refundId, reason, at: time })],
    OpenDispute: [3, fc.record({ disputeId, amount: money, reason, at: time })],
    ResolveDispute: [
      3,
      fc.record({ disputeId, outcome: fc.constantFrom('won', 'lost'), at: time }),
    ],
  };
  return fields;
}

function commandFor(paymentId: string, code: CurrencyCode): fc.Arbitrary<PaymentCommand> {
  const choices = Object.entries(commandFields(code)).map(([type, [weight, fields]]) => ({
    weight,
    arbitrary: fields.map((data) => ({ type, data: { paymentId, ...data } }) as PaymentCommand),
  }));
  return fc.oneof(...choices);
}

function opening(paymentId: string, code: CurrencyCode, authorize: boolean): PaymentCommand[] {
  const create: PaymentCommand = {
    type: 'CreatePayment',
    data: {
      paymentId,
      tenantId: 'tenant_1',
      amount: { amount: 1000n, currency: code },
      authorizationExpiresAt: at(60),
      at: at(0),
    },
  };
  const authorization: PaymentCommand = {
    type: 'AuthorizePayment',
    data: { paymentId, at: at(1) },
  };
  return authorize ? [create, authorization] : [create];
}

/**
 * Commands for both payments. Each is created first, and usually authorized, so that most of
 * the random commands that follow land on a payment that can take them.
 */
export const commandSequence: fc.Arbitrary<PaymentCommand[]> = fc
  .tuple(
    fc.array(fc.boolean(), { minLength: PAYMENTS.length, maxLength: PAYMENTS.length }),
    fc.array(
      fc.oneof(...PAYMENTS.map((payment) => commandFor(payment.paymentId, payment.currency))),
      {
        minLength: 1,
        maxLength: 60,
        // The default size keeps arrays near ten commands, too short to reach disputes.
        size: 'max',
      },
    ),
  )
  .map(([authorizeFirst, commands]) => [
    ...PAYMENTS.flatMap((payment, index) =>
      opening(payment.paymentId, payment.currency, authorizeFirst[index] ?? false),
    ),
    ...commands,
  ]);

export type Step = {
  command: PaymentCommand;
  before: PaymentState | undefined;
  decision: Decision<PaymentEvent>;
  after: PaymentState | undefined;
};

export type Run = {
  steps: Step[];
  states: Map<string, PaymentState>;
  streams: Map<string, PaymentEvent[]>;
};

/** Runs the commands the way the write path does: load, decide, append, evolve. */
export function runCommands(commands: readonly PaymentCommand[]): Run {
  const states = new Map<string, PaymentState>();
  const streams = new Map<string, PaymentEvent[]>();
  const steps: Step[] = [];
  for (const command of commands) {
    const paymentId = command.data.paymentId;
    const before = states.get(paymentId);
    const decision = decide(command, before);
    let after = before;
    if (decision.ok) {
      for (const event of decision.events) after = evolve(after, event);
      streams.set(paymentId, [...(streams.get(paymentId) ?? []), ...decision.events]);
      if (after !== undefined) states.set(paymentId, after);
    }
    steps.push({ command, before, decision, after });
  }
  return { steps, states, streams };
}
