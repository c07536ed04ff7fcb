import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent } from '../events/codec.ts';
import { decide } from './decide.ts';
import { fold } from './evolve.ts';
import type { PaymentState } from './state.ts';
import { isTerminal } from './state.ts';
import type { Step } from './testing/arbitraries.ts';
import { commandSequence, runCommands } from './testing/arbitraries.ts';

const RUNS = { numRuns: 300 };

function forEveryStep(check: (step: Step) => void) {
  fc.assert(
    fc.property(commandSequence, (commands) => {
      for (const step of runCommands(commands).steps) check(step);
    }),
    RUNS,
  );
}

function expectAmountsConsistent(state: PaymentState) {
  const nonNegative = [
    state.authorizedAmount,
    state.capturedAmount,
    state.capturableAmount,
    state.refundPendingAmount,
    state.refundSucceededAmount,
    state.refundableAmount,
    state.disputeOpenAmount,
    state.disputeLostAmount,
    state.settledAmount,
    state.feeAmount,
  ];
  expect(nonNegative.every((amount) => amount >= 0n)).toBe(true);
  expect(state.capturedAmount <= state.authorizedAmount).toBe(true);
  expect(state.authorizedAmount <= state.amount).toBe(true);
  expect(state.refundedAmount).toBe(state.refundPendingAmount + state.refundSucceededAmount);
  expect(state.refundedAmount <= state.capturedAmount).toBe(true);
  expect(state.disputedAmount <= state.capturedAmount).toBe(true);
  expect(state.settledAmount <= state.capturedAmount).toBe(true);
  expect(state.feeAmount <= state.settledAmount).toBe(true);
  expect(state.refundableAmount <= state.capturedAmount - state.refundedAmount).toBe(true);
}

function expectStatusMatchesAmounts(state: PaymentState) {
  const { status, capturedAmount, authorizedAmount } = state;
  if (status === 'INITIATED') expect(authorizedAmount).toBe(0n);
  if (status === 'AUTHORIZED') expect(capturedAmount).toBe(0n);
  if (status === 'PARTIALLY_CAPTURED') {
    expect(capturedAmount > 0n && capturedAmount < authorizedAmount).toBe(true);
  }
  if (status === 'CAPTURED') expect(capturedAmount).toBe(authorizedAmount);
  if (status === 'SETTLED') expect(state.settlement).not.toBeNull();
  if (isTerminal(status)) expect(capturedAmount).toBe(0n);
}

describe('payment invariants over random command sequences', () => {
  it('keeps captured <= authorized <= amount and refunded <= captured', () => {
    forEveryStep(({ after }) => {
      if (after === undefined) return;
      expectAmountsConsistent(after);
      expectStatusMatchesAmounts(after);
    });
  });

  it('never changes a payment in a terminal status', () => {
    forEveryStep(({ before, decision, after }) => {
      if (before === undefined || !isTerminal(before.status)) return;
      expect(decision.ok ? decision.events : []).toEqual([]);
      expect(after).toBe(before);
    });
  });

  it('folds the emitted events back into the same state', () => {
    fc.assert(
      fc.property(commandSequence, (commands) => {
        const run = runCommands(commands);
        for (const [paymentId, events] of run.streams) {
          expect(fold(events)).toEqual(run.states.get(paymentId));
        }
      }),
      RUNS,
    );
  });

  it('emits nothing when a command that was just applied is applied again', () => {
    forEveryStep(({ command, decision, after }) => {
      if (!decision.ok) return;
      expect(decide(command, after)).toEqual({ ok: true, events: [] });
    });
  });

  it('keeps the version equal to the number of events in the stream', () => {
    fc.assert(
      fc.property(commandSequence, (commands) => {
        const run = runCommands(commands);
        for (const [paymentId, events] of run.streams) {
          expect(run.states.get(paymentId)?.version).toBe(events.length);
        }
      }),
      RUNS,
    );
  });

  it('emits only events that survive encoding, JSON and decoding unchanged', () => {
    forEveryStep(({ decision }) => {
      if (!decision.ok) return;
      for (const event of decision.events) {
        const stored = JSON.parse(JSON.stringify(encodeEvent(event))) as ReturnType<
          typeof encodeEvent
        >;
        expect(decodeEvent(stored.type, stored.data, stored.schemaVersion)).toEqual(event);
      }
    });
  });

  it('answers every command with a decision, never an exception', () => {
    forEveryStep(({ decision }) => {
      expect(typeof decision.ok).toBe('boolean');
    });
  });
});
