import { describe, expect, it } from 'vitest';
import { verifyHashChain } from '../../infra/write/hash-chain.ts';
import {
  generateLedger,
  interleave,
  seededRandom,
} from '../../projections/testing/ledger-events.ts';
import { HashChainChecker } from '../../projections/verify/hash-chains.ts';

const events = interleave(generateLedger(5, 30), seededRandom(6));

describe('hash chains', () => {
  it('accepts untouched streams, as the write path verifies them', () => {
    const checker = new HashChainChecker();
    for (const event of events) checker.check(event);
    expect(checker.report()).toMatchObject({ broken: [], events: events.length });
    const first = events.filter((event) => event.stream === events[0]?.stream);
    expect(verifyHashChain(first)).toMatchObject({ ok: true });
  });

  it('reports the first tampered event of a stream, and only that stream', () => {
    const target = events.find((event) => event.type === 'PaymentCaptured');
    if (!target) throw new Error('generator changed: no capture');
    const tampered = events.map((event) =>
      event === target ? { ...event, data: { ...event.data, amount: '1' } } : event,
    );
    const checker = new HashChainChecker();
    for (const event of tampered) checker.check(event);
    expect(checker.report().broken).toEqual([
      {
        stream: target.stream,
        revision: target.revision,
        reason: 'hash does not match the event content',
      },
    ]);
  });
});
