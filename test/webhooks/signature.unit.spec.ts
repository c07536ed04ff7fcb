import { describe, expect, it } from 'vitest';
import { signatureHeader, verifySignature } from '../../api/webhooks/signature.ts';
import { stripeHeader } from './stripe-fixtures.ts';

const secret = 'whsec_test_0123456789abcdef';
const body = Buffer.from('{"id":"evt_1","type":"payment_intent.succeeded"}');
const now = 1_700_000_000;
const options = { secrets: [secret], toleranceSeconds: 300, nowSeconds: now };

describe('webhook signature', () => {
  it('accepts a header made by the official stripe package', () => {
    const header = stripeHeader(body.toString(), secret, now);
    expect(verifySignature(header, body, options)).toEqual({ ok: true, timestampSeconds: now });
  });

  it('refuses a tampered body, a wrong secret and a missing or malformed header', () => {
    const header = signatureHeader(secret, now, body);
    const tampered = Buffer.from(body.toString().replace('evt_1', 'evt_2'));
    expect(verifySignature(header, tampered, options)).toEqual({
      ok: false,
      reason: 'no signature matches',
    });
    const wrong = signatureHeader('whsec_wrong_0123456789', now, body);
    expect(verifySignature(wrong, body, options)).toEqual({
      ok: false,
      reason: 'no signature matches',
    });
    expect(verifySignature(undefined, body, options)).toEqual({
      ok: false,
      reason: 'missing header',
    });
    expect(verifySignature('v1=abc', body, options)).toEqual({
      ok: false,
      reason: 'malformed header',
    });
    expect(verifySignature(`t=${now}`, body, options)).toEqual({
      ok: false,
      reason: 'malformed header',
    });
  });

  it('enforces the tolerance window in both directions', () => {
    for (const skew of [-301, 301]) {
      const header = signatureHeader(secret, now + skew, body);
      expect(verifySignature(header, body, options)).toEqual({
        ok: false,
        reason: 'timestamp outside tolerance',
      });
    }
    for (const skew of [-300, 300]) {
      expect(verifySignature(signatureHeader(secret, now + skew, body), body, options).ok).toBe(
        true,
      );
    }
  });

  it('accepts any active secret (rotation) and any of several v1 entries', () => {
    const rotating = { ...options, secrets: ['whsec_new_0123456789abcdef', secret] };
    expect(verifySignature(signatureHeader(secret, now, body), body, rotating).ok).toBe(true);
    const good = signatureHeader(secret, now, body).split(',v1=')[1];
    const several = `t=${now},v1=${'0'.repeat(64)},v0=zzz,v1=${good}`;
    expect(verifySignature(several, body, options).ok).toBe(true);
  });
});
