import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot, startStack, type Stack } from '../reliability/support/processes.ts';

const execFileAsync = promisify(execFile);
let stack: Stack;

beforeAll(async () => {
  // Development defaults: no API_KEYS, no WEBHOOK_SECRET_SIM. A tight GraphQL rate limit, so
  // that the simulator's creations meet 429s and must wait them out.
  stack = await startStack([], { API_KEYS: '', RATE_LIMIT_RPS: '20', RATE_LIMIT_BURST: '5' });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('npm run simulate against a service on its development defaults', () => {
  it('needs no key or secret: reads both from DATA_DIR, and the ledger converges', async () => {
    const { stdout } = await execFileAsync(
      process.execPath,
      [
        ...['--import', 'tsx', join(projectRoot, 'scripts', 'simulate.ts')],
        ...['--url', stack.api.url, '--payments', '40', '--duplicates', '0.2'],
        ...['--reorder', '0.3', '--bad-signatures', '0.1', '--seed', '11'],
      ],
      {
        cwd: projectRoot,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: stack.dataDirectory },
        timeout: 240_000,
      },
    );
    expect(stdout).toMatch(/forged: \d+ refused, 0 accepted/);
    expect(stdout).toContain('OK: all 40 payments match');
  }, 300_000);

  it('says what is missing when there is no development key to read', async () => {
    const failed = execFileAsync(
      process.execPath,
      ['--import', 'tsx', join(projectRoot, 'scripts', 'simulate.ts'), '--url', stack.api.url],
      {
        cwd: projectRoot,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          DATA_DIR: join(stack.dataDirectory, 'none'),
        },
      },
    );
    await expect(failed).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/no API key/),
    });
  }, 60_000);
});
