import { createHash, randomUUID } from 'node:crypto';
import { StreamConflictError, type EventStore } from '../eventstore/event-store.ts';

/**
 * A provider's payment id (e.g. Stripe's `pi_...`) belongs to exactly one ledger payment. The link
 * is claimed on the event store (`providerref-<sha256(ref)>`, expected revision "no stream") before
 * the payment is created, so two payments can never share a reference and callbacks can find their
 * payment without PostgreSQL. A crash between claim and payment leaves a claim whose payment id is
 * reused by the idempotent retry.
 */
export function providerReferenceStream(providerPaymentId: string): string {
  return `providerref-${createHash('sha256').update(providerPaymentId, 'utf8').digest('hex')}`;
}

export type ReferenceClaim = { ok: true } | { ok: false; ownerPaymentId: string };

export async function claimProviderReference(
  store: EventStore,
  claim: { providerPaymentId: string; paymentId: string; tenantId: string; at: string },
): Promise<ReferenceClaim> {
  const stream = providerReferenceStream(claim.providerPaymentId);
  try {
    await store.append(
      stream,
      [
        {
          id: randomUUID(),
          type: 'ProviderReferenceClaimed',
          data: { ...claim, claimedAt: claim.at },
          metadata: { tenantId: claim.tenantId },
        },
      ],
      'no_stream',
    );
    return { ok: true };
  } catch (error) {
    if (!(error instanceof StreamConflictError)) throw error;
    const owner = await findPaymentByProviderReference(store, claim.providerPaymentId);
    return owner === undefined || owner.paymentId === claim.paymentId
      ? { ok: true }
      : { ok: false, ownerPaymentId: owner.paymentId };
  }
}

export async function findPaymentByProviderReference(
  store: EventStore,
  providerPaymentId: string,
): Promise<{ paymentId: string; tenantId: string } | undefined> {
  const events = await store.readStream(providerReferenceStream(providerPaymentId), {
    maxCount: 1,
  });
  const first = events?.[0];
  if (!first || typeof first.data.paymentId !== 'string') return undefined;
  return { paymentId: first.data.paymentId, tenantId: String(first.data.tenantId) };
}
