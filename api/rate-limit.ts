import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Token buckets: each key refills at `ratePerSecond` up to `burst` tokens; a request spends one.
 * An empty bucket answers 429 with Retry-After (whole seconds until a token is back).
 */
export interface TokenBucketOptions {
  ratePerSecond: number;
  burst: number;
  /** Buckets kept at most; the least recently used are dropped beyond it. */
  keysMax: number;
  clockMs?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly clockMs: () => number;

  constructor(private readonly options: TokenBucketOptions) {
    this.clockMs = options.clockMs ?? (() => Date.now());
  }

  /** Spends a token; returns 0 when allowed, else the milliseconds until one is available. */
  take(key: string): number {
    const now = this.clockMs();
    const { ratePerSecond, burst } = this.options;
    const bucket = this.buckets.get(key) ?? { tokens: burst, updatedAtMs: now };
    const refilled = Math.min(
      burst,
      bucket.tokens + ((now - bucket.updatedAtMs) / 1000) * ratePerSecond,
    );
    this.buckets.delete(key);
    if (refilled >= 1) {
      this.buckets.set(key, { tokens: refilled - 1, updatedAtMs: now });
      this.evict();
      return 0;
    }
    this.buckets.set(key, { tokens: refilled, updatedAtMs: now });
    this.evict();
    return Math.ceil(((1 - refilled) / ratePerSecond) * 1000);
  }

  private evict(): void {
    while (this.buckets.size > this.options.keysMax) {
      const oldest = this.buckets.keys().next().value;
      if (oldest === undefined) return;
      this.buckets.delete(oldest);
    }
  }
}

export interface RateLimitOptions {
  ratePerSecond: number;
  burst: number;
  /** Which bucket a request spends from; undefined = not limited here. */
  keyOf: (request: Request) => string | undefined;
}

/** `ratePerSecond` 0 turns limiting off. */
export function rateLimit(options: RateLimitOptions): RequestHandler {
  if (options.ratePerSecond <= 0) return (_request, _response, next) => next();
  const buckets = new TokenBuckets({
    ratePerSecond: options.ratePerSecond,
    burst: Math.max(1, options.burst),
    keysMax: 100_000,
  });
  return (request: Request, response: Response, next: NextFunction) => {
    const key = options.keyOf(request);
    if (key === undefined) return next();
    const waitMs = buckets.take(key);
    if (waitMs === 0) return next();
    response.setHeader('Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000))));
    response.status(429).json({ error: 'RATE_LIMITED', message: 'too many requests; retry later' });
  };
}

/** Buckets per API key: keyed by a digest of the bearer token, so the secret is never kept. */
export function apiKeyBucket(request: Request): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return 'anonymous';
  return `key:${createHash('sha256').update(header.slice(7)).digest('hex')}`;
}
