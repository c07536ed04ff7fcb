import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../infra/config/env.ts';
import { createLogger } from '../infra/logging/logger.ts';
import { startService, type RunningService } from '../infra/runtime/service.ts';

describe('service foundation', () => {
  let directory: string;
  let service: RunningService;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'ledger-foundation-'));
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: directory,
      DATABASE_URL: process.env.TEST_DATABASE_URL,
      LOG_LEVEL: 'silent',
    });
    service = await startService(config, createLogger('silent'));
  });

  afterAll(async () => {
    await service?.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('answers /healthz', async () => {
    const response = await fetch(`${service.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('is ready when PostgreSQL and the event store answer', async () => {
    const response = await fetch(`${service.url}/readyz`);
    const body = (await response.json()) as { checks: Record<string, string> };
    expect(response.status).toBe(200);
    expect(body.checks).toEqual({ postgres: 'ok', eventstore: 'ok' });
  });

  it('exposes Prometheus metrics', async () => {
    const response = await fetch(`${service.url}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('process_resident_memory_bytes');
  });

  it('echoes a request id on every response', async () => {
    const response = await fetch(`${service.url}/healthz`, {
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(response.headers.get('x-request-id')).toBe('abc-123');
    const generated = await fetch(`${service.url}/healthz`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('npm start with a wrong environment', () => {
  it('prints one clear line per wrong variable and exits with code 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      env: { ...process.env, PORT: 'not-a-port', LOG_LEVEL: 'chatty', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^config error: (PORT|LOG_LEVEL): /);
    expect(stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });
});
