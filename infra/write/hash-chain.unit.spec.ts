import { describe, expect, it } from 'vitest';
import { computeEventHash, verifyHashChain, type ChainLink } from './hash-chain.ts';

function chain(count: number): ChainLink[] {
  const links: ChainLink[] = [];
  let previousHash: string | null = null;
  for (let revision = 0n; revision < BigInt(count); revision += 1n) {
    const data = { paymentId: 'p1', amount: String(100n * (revision + 1n)) };
    const metadata: Record<string, unknown> = { actor: 'key-1', tenantId: 't1', previousHash };
    const hash = computeEventHash({
      previousHash,
      stream: 'payment-p1',
      revision,
      type: 'PaymentCaptured',
      data,
      metadataWithoutHash: metadata,
    });
    links.push({
      stream: 'payment-p1',
      revision,
      type: 'PaymentCaptured',
      data,
      metadata: { ...metadata, hash },
    });
    previousHash = hash;
  }
  return links;
}

describe('hash chain', () => {
  it('verifies an untouched stream', () => {
    expect(verifyHashChain(chain(5))).toMatchObject({ ok: true, checked: 5 });
  });

  it('detects a changed amount', () => {
    const links = chain(5);
    links[2] = { ...links[2]!, data: { paymentId: 'p1', amount: '999999' } };
    expect(verifyHashChain(links)).toMatchObject({ ok: false, revision: 2n });
  });

  it('detects a changed actor in the metadata', () => {
    const links = chain(3);
    links[1] = { ...links[1]!, metadata: { ...links[1]!.metadata, actor: 'intruder' } };
    expect(verifyHashChain(links)).toMatchObject({ ok: false, revision: 1n });
  });

  it('detects a removed event', () => {
    const links = chain(4);
    links.splice(1, 1);
    expect(verifyHashChain(links)).toMatchObject({ ok: false, revision: 2n });
  });

  it('does not depend on key order', () => {
    const a = computeEventHash({
      previousHash: null,
      stream: 's',
      revision: 0n,
      type: 't',
      data: { a: 1, b: 2 },
      metadataWithoutHash: { x: 1, y: 2 },
    });
    const b = computeEventHash({
      previousHash: null,
      stream: 's',
      revision: 0n,
      type: 't',
      data: { b: 2, a: 1 },
      metadataWithoutHash: { y: 2, x: 1 },
    });
    expect(a).toBe(b);
  });
});
