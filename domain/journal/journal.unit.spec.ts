import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PaymentEvent } from '../payment/events.ts';
import type { PaymentState } from '../payment/state.ts';
import { commandSequence, runCommands } from '../payment/testing/arbitraries.ts';
import { accountBalances, isBalanced } from './balances.ts';
import type { AccountCode, JournalEntry } from './postings.ts';
import { postingsFor } from './postings.ts';

const RUNS = { numRuns: 300 };

function journalOf(events: readonly PaymentEvent[]): JournalEntry[] {
  return events.map(postingsFor).filter((entry) => entry !== null);
}

/** Debits minus credits that the posting rules must produce, read off the folded payment. */
function expectedBalances(state: PaymentState): Record<AccountCode, bigint> {
  const net = state.settlement?.net ?? 0n;
  return {
    customer_funds:
      state.capturedAmount -
      state.settledAmount -
      state.refundSucceededAmount -
      state.disputeOpenAmount -
      state.disputeLostAmount,
    settlement_clearing: net,
    cash: 0n,
    disputes: state.disputeOpenAmount,
    merchant_payable: -(state.capturedAmount - state.refundedAmount - state.disputeLostAmount),
    refunds_pending: -state.refundPendingAmount,
    provider_fees: state.feeAmount,
  };
}

describe('journal over random command sequences', () => {
  it('balances every entry, and every currency to zero', () => {
    fc.assert(
      fc.property(commandSequence, (commands) => {
        const journal = journalOf([...runCommands(commands).streams.values()].flat());
        expect(journal.every(isBalanced)).toBe(true);
        expect(journal.every((entry) => entry.lines.every((line) => line.amount > 0n))).toBe(true);
        for (const accounts of accountBalances(journal).values()) {
          expect([...accounts.values()].reduce((sum, balance) => sum + balance, 0n)).toBe(0n);
        }
      }),
      RUNS,
    );
  });

  it('gives account balances equal to the sum of the journal lines', () => {
    fc.assert(
      fc.property(commandSequence, (commands) => {
        const journal = journalOf([...runCommands(commands).streams.values()].flat());
        const balances = accountBalances(journal);
        for (const entry of journal) {
          for (const line of entry.lines) {
            const summed = journal
              .filter((other) => other.currency === entry.currency)
              .flatMap((other) => other.lines)
              .filter((other) => other.account === line.account)
              .reduce(
                (sum, other) => sum + (other.side === 'debit' ? other.amount : -other.amount),
                0n,
              );
            expect(balances.get(entry.currency)?.get(line.account)).toBe(summed);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('agrees with the amounts on the folded payment, account by account', () => {
    fc.assert(
      fc.property(commandSequence, (commands) => {
        const run = runCommands(commands);
        for (const [paymentId, events] of run.streams) {
          const state = run.states.get(paymentId);
          if (state === undefined) continue;
          const accounts = accountBalances(journalOf(events)).get(state.currency) ?? new Map();
          for (const [account, expected] of Object.entries(expectedBalances(state))) {
            expect([account, accounts.get(account as AccountCode) ?? 0n]).toEqual([
              account,
              expected,
            ]);
          }
        }
      }),
      RUNS,
    );
  });

  it('never books two entries with the same id', () => {
    fc.assert(
      fc.property(commandSequence, (commands) => {
        const journal = journalOf([...runCommands(commands).streams.values()].flat());
        expect(new Set(journal.map((entry) => entry.entryId)).size).toBe(journal.length);
      }),
      RUNS,
    );
  });
});
