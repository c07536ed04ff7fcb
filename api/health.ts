import type { Router, Request, Response } from 'express';
import express from 'express';

export interface DependencyCheck {
  name: string;
  /** Resolves when the dependency answers; rejects (or times out) otherwise. */
  check: () => Promise<void>;
}

const checkTimeoutMs = 2_000;

async function runCheck(dependency: DependencyCheck): Promise<{ name: string; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${checkTimeoutMs} ms`)),
      checkTimeoutMs,
    );
  });
  try {
    await Promise.race([dependency.check(), timeout]);
    return { name: dependency.name };
  } catch (error) {
    return { name: dependency.name, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

export function healthRouter(dependencies: readonly DependencyCheck[]): Router {
  const router = express.Router();
  router.get('/healthz', (_request: Request, response: Response) => {
    response.json({ status: 'ok' });
  });
  router.get('/readyz', async (_request: Request, response: Response) => {
    const results = await Promise.all(dependencies.map(runCheck));
    const failing = results.filter((result) => result.error !== undefined);
    const checks = Object.fromEntries(
      results.map((result) => [result.name, result.error === undefined ? 'ok' : result.error]),
    );
    if (failing.length > 0) {
      response.status(503).json({
        status: 'unavailable',
        failing: failing.map((result) => result.name),
        checks,
      });
      return;
    }
    response.json({ status: 'ready', checks });
  });
  return router;
}
