import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ApiKeyConfigError,
  ApiKeyStore,
  authenticateRequest,
  developmentKeyFileName,
  loadApiKeys,
  parseApiKeys,
} from '../../api/auth/index.ts';

function capturingLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

const secret = 'a-long-enough-secret-for-tests-0001';

describe('API_KEYS', () => {
  it('accepts plain keys and SHA-256 digests, with tenants and roles', () => {
    const digest = createHash('sha256').update('another-long-enough-secret-0002').digest('hex');
    const store = new ApiKeyStore(
      parseApiKeys(
        JSON.stringify([
          { id: 'acme', key: secret, tenant: 'acme', roles: ['read', 'write'] },
          { id: 'ops', keySha256: digest.toUpperCase(), tenant: '*', roles: ['operate'] },
        ]),
      ),
    );
    expect(store.authenticate(secret)).toMatchObject({ keyId: 'acme', tenant: 'acme' });
    expect([...store.authenticate(secret)!.roles]).toEqual(['read', 'write']);
    expect(store.authenticate('another-long-enough-secret-0002')).toMatchObject({
      keyId: 'ops',
      tenant: '*',
    });
    expect(store.authenticate(`${secret}x`)).toBeUndefined();
    expect(store.authenticate('')).toBeUndefined();
    expect(store.authenticate('x'.repeat(10_000))).toBeUndefined();
  });

  it('names the wrong entry and field without ever echoing a secret', () => {
    const problems = [
      'not json ' + secret,
      JSON.stringify([{ id: 'a', key: 'short', tenant: 'acme', roles: ['read'] }]),
      JSON.stringify([{ id: 'a', key: secret, keySha256: 'ab', tenant: 'acme', roles: ['read'] }]),
      JSON.stringify([{ id: 'a', key: secret, tenant: 'acme', roles: ['admin'] }]),
      JSON.stringify([{ id: 'a', key: secret, tenant: 'a b', roles: ['read'] }]),
      JSON.stringify([
        { id: 'a', key: secret, tenant: 'acme', roles: ['read'] },
        { id: 'a', key: `${secret}2`, tenant: 'acme', roles: ['read'] },
      ]),
      JSON.stringify([]),
    ];
    for (const text of problems) {
      let error: unknown;
      try {
        parseApiKeys(text);
      } catch (caught) {
        error = caught;
      }
      expect(error, text).toBeInstanceOf(ApiKeyConfigError);
      expect((error as Error).message).toMatch(/^API_KEYS/);
      expect((error as Error).message).not.toContain(secret);
      expect((error as Error).message).not.toContain('short');
    }
  });

  it('reads only Bearer authorization headers', () => {
    const store = new ApiKeyStore(
      parseApiKeys(JSON.stringify([{ id: 'k', key: secret, tenant: 't', roles: ['read'] }])),
    );
    expect(authenticateRequest(store, undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(authenticateRequest(store, `Basic ${secret}`)).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(authenticateRequest(store, `Bearer ${secret} extra`)).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(authenticateRequest(store, 'Bearer nope')).toEqual({ ok: false, reason: 'unknown' });
    expect(authenticateRequest(store, `bearer ${secret}`)).toMatchObject({
      ok: true,
      principal: { keyId: 'k' },
    });
  });
});

describe('the development key', () => {
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'ledger-api-keys-'));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('is created once under DATA_DIR, readable by its owner only, and shown once', async () => {
    const { logger, lines } = capturingLogger();
    const first = await loadApiKeys(undefined, join(directory, 'data'), logger);
    expect(first.firstRunMessage).toBeTypeOf('function');
    const path = join(directory, 'data', developmentKeyFileName);
    const stored = JSON.parse(await readFile(path, 'utf8')) as { key: string };
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const message = first.firstRunMessage!('http://127.0.0.1:4000');
    expect(message).toContain(stored.key);
    expect(message).toContain('http://127.0.0.1:4000/graphql');
    expect(first.apiKeys.authenticate(stored.key)).toMatchObject({
      tenant: '*',
      keyId: 'development',
    });

    const second = await loadApiKeys('', join(directory, 'data'), logger);
    expect(second.firstRunMessage).toBeUndefined();
    expect(second.apiKeys.authenticate(stored.key)).toBeDefined();
    expect(lines.join('')).not.toContain(stored.key);
  });

  it('is not used when API_KEYS is set', async () => {
    const { logger, lines } = capturingLogger();
    const loaded = await loadApiKeys(
      JSON.stringify([{ id: 'k', key: secret, tenant: 't', roles: ['read'] }]),
      directory,
      logger,
    );
    expect(loaded.firstRunMessage).toBeUndefined();
    expect(loaded.apiKeys.keyIds()).toEqual(['k']);
    await expect(stat(join(directory, developmentKeyFileName))).rejects.toThrow();
    expect(lines.join('')).not.toContain(secret);
  });
});
