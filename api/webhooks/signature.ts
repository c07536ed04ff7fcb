import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The timestamped HMAC scheme shared by Stripe (`Stripe-Signature`) and the ledger's own format
 * (`Ledger-Signature`): `t=<unix seconds>,v1=<hex>[,v1=<hex>...]`, where each v1 is
 * HMAC-SHA256(secret, "<t>.<raw body>"). The timestamp is signed too, so a captured request
 * cannot be replayed outside the tolerance window with a fresh timestamp.
 */
export type SignatureFailureReason =
  'missing header' | 'malformed header' | 'no signature matches' | 'timestamp outside tolerance';

export type SignatureVerdict =
  { ok: true; timestampSeconds: number } | { ok: false; reason: SignatureFailureReason };

export interface VerifyOptions {
  /** Active secrets, newest first; any match is accepted (rotation). */
  secrets: readonly string[];
  toleranceSeconds: number;
  nowSeconds: number;
}

// Bounds on attacker-controlled input, so that a hostile header costs little to reject.
const headerLengthMax = 4_096;
const signatureEntriesMax = 16;
const digestHexLength = 64;
const hexPattern = /^[0-9a-f]+$/i;

interface ParsedHeader {
  timestampSeconds: number;
  signatures: Buffer[];
}

export function parseSignatureHeader(header: string): ParsedHeader | undefined {
  if (header.length > headerLengthMax) return undefined;
  let timestampSeconds: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',').slice(0, 2 * signatureEntriesMax)) {
    const separator = part.indexOf('=');
    if (separator < 0) continue;
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value)) return undefined;
      timestampSeconds = Number(value);
    } else if (key === 'v1' && signatures.length < signatureEntriesMax) {
      // A wrong-length or non-hex entry can never match; skipping it keeps the compare simple.
      if (value.length === digestHexLength && hexPattern.test(value)) {
        signatures.push(Buffer.from(value, 'hex'));
      }
    }
  }
  if (timestampSeconds === undefined) return undefined;
  return { timestampSeconds, signatures };
}

export function computeSignature(
  secret: string,
  timestampSeconds: number,
  rawBody: Buffer,
): Buffer {
  return createHmac('sha256', secret)
    .update(`${timestampSeconds}.`, 'utf8')
    .update(rawBody)
    .digest();
}

/** The header value a sender puts on a request (used by the simulator and the tests). */
export function signatureHeader(
  secret: string,
  timestampSeconds: number,
  rawBody: Buffer | string,
): string {
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  return `t=${timestampSeconds},v1=${computeSignature(secret, timestampSeconds, body).toString('hex')}`;
}

function anySignatureMatches(parsed: ParsedHeader, rawBody: Buffer, secrets: readonly string[]) {
  let matched = false;
  // Every secret and every entry is compared (no early exit), so timing reveals nothing about
  // which secret or which position matched.
  for (const secret of secrets) {
    const expected = computeSignature(secret, parsed.timestampSeconds, rawBody);
    for (const candidate of parsed.signatures) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) {
        matched = true;
      }
    }
  }
  return matched;
}

export function verifySignature(
  header: string | undefined,
  rawBody: Buffer,
  options: VerifyOptions,
): SignatureVerdict {
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing header' };
  const parsed = parseSignatureHeader(header);
  if (parsed === undefined || parsed.signatures.length === 0) {
    return { ok: false, reason: 'malformed header' };
  }
  if (!anySignatureMatches(parsed, rawBody, options.secrets)) {
    return { ok: false, reason: 'no signature matches' };
  }
  if (Math.abs(options.nowSeconds - parsed.timestampSeconds) > options.toleranceSeconds) {
    return { ok: false, reason: 'timestamp outside tolerance' };
  }
  return { ok: true, timestampSeconds: parsed.timestampSeconds };
}
