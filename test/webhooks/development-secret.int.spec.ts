import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logging/logger.ts';
import {
  developmentSimSecretFileName,
  readDevelopmentSimSecret,
  withDevelopmentSimSecret,
} from '../../infra/webhooks/development-secret.ts';

const logger = createLogger('silent');
let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'ledger-dev-secret-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('the sim provider on development defaults', () => {
  it('gets a secret of its own under DATA_DIR, readable by its owner only, kept across starts', async () => {
    const configured = new Map([['stripe', ['whsec_configured_0123456789']]]);
    const first = await withDevelopmentSimSecret(configured, {
      development: true,
      dataDirectory: directory,
      logger,
    });
    const secret = first.get('sim')?.[0];
    expect(secret).toMatch(/^whsec_dev_[\w-]{40,}$/);
    expect(first.get('stripe')).toEqual(['whsec_configured_0123456789']);
    const path = join(directory, developmentSimSecretFileName);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readDevelopmentSimSecret(directory)).toBe(secret);
    const again = await withDevelopmentSimSecret(new Map(), {
      development: true,
      dataDirectory: directory,
      logger,
    });
    expect(again.get('sim')).toEqual([secret]);
  });

  it('services starting together end up with one secret (the losers wait for the file)', async () => {
    for (let round = 0; round < 5; round += 1) {
      const dataDirectory = join(directory, `round-${round}`);
      const options = { development: true, dataDirectory, logger };
      const all = await Promise.all(
        Array.from({ length: 8 }, () => withDevelopmentSimSecret(new Map(), options)),
      );
      expect(new Set(all.map((secrets) => secrets.get('sim')?.[0])).size).toBe(1);
    }
  });

  it('is never made when WEBHOOK_SECRET_SIM is set or API_KEYS is (production)', async () => {
    const configured = new Map([['sim', ['whsec_configured_0123456789']]]);
    expect(
      await withDevelopmentSimSecret(configured, {
        development: true,
        dataDirectory: directory,
        logger,
      }),
    ).toBe(configured);
    const production = await withDevelopmentSimSecret(new Map(), {
      development: false,
      dataDirectory: directory,
      logger,
    });
    expect(production.has('sim')).toBe(false);
    expect(await readDevelopmentSimSecret(directory)).toBeUndefined();
  });

  it('refuses a malformed file instead of replacing it', async () => {
    await writeFile(join(directory, developmentSimSecretFileName), '{"provider":"sim"}');
    await expect(
      withDevelopmentSimSecret(new Map(), { development: true, dataDirectory: directory, logger }),
    ).rejects.toThrow(/malformed/);
    expect(await readFile(join(directory, developmentSimSecretFileName), 'utf8')).toBe(
      '{"provider":"sim"}',
    );
  });
});
