import type { StoredEvent } from '../../../infra/eventstore/event-store.ts';
import {
  generateLedger,
  interleave,
  seededRandom,
} from '../../../projections/testing/ledger-events.ts';

/** The crash spec's ledger: about 21,000 events over 4,500 payments, the same on every call. */
export function crashLedger(): StoredEvent[] {
  return interleave(generateLedger(2024, 4_500), seededRandom(2025));
}
