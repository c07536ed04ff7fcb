import type { Pool } from '../../infra/postgres/pool.ts';
import type { Projection } from '../core/types.ts';
import { allProjections } from '../registry.ts';

/** The read models did not reach a write's position in time: the caller may retry or say so. */
export class ConsistencyTimeoutError extends Error {
  override readonly name = 'ConsistencyTimeoutError';
  constructor(
    readonly position: bigint,
    readonly timeoutMs: number,
    readonly behind: readonly { name: string; checkpoint: bigint | null }[],
  ) {
    const names = behind.map((item) => `${item.name}@${String(item.checkpoint)}`).join(', ');
    super(`read models did not reach position ${position} within ${timeoutMs} ms: ${names}`);
  }
}

export interface WaitOptions {
  /** Which projections must have caught up; default: all live ones. */
  projections?: readonly Projection[];
  pollIntervalMs?: number;
}

async function projectionsBehind(pool: Pool, projections: readonly Projection[], position: bigint) {
  const result = await pool.query<{ name: string; version: number; position: bigint | null }>(
    `SELECT projection_name AS name, projection_version AS version, position
       FROM public.projection_checkpoints
      WHERE projection_name = ANY($1::text[])`,
    [projections.map((projection) => projection.name)],
  );
  return projections
    .map((projection) => {
      const row = result.rows.find(
        (candidate) =>
          candidate.name === projection.name && candidate.version === projection.version,
      );
      return { name: projection.name, checkpoint: row?.position ?? null };
    })
    .filter((item) => item.checkpoint === null || item.checkpoint < position);
}

/**
 * Read-your-writes: resolves once every live projection's checkpoint is at or after `position`
 * (the position an append returned), else throws ConsistencyTimeoutError after `timeoutMs`.
 */
export async function waitForPosition(
  pool: Pool,
  position: bigint,
  timeoutMs: number,
  options: WaitOptions = {},
): Promise<void> {
  const projections = options.projections ?? allProjections;
  const pollIntervalMs = options.pollIntervalMs ?? 25;
  const deadlineMs = Date.now() + timeoutMs;
  const attemptsMax = Math.ceil(timeoutMs / pollIntervalMs) + 1;
  let behind = await projectionsBehind(pool, projections, position);
  for (let attempt = 0; behind.length > 0 && attempt < attemptsMax; attempt += 1) {
    const remainingMs = deadlineMs - Date.now();
    if (remainingMs <= 0) break;
    await new Promise((resolveWait) =>
      setTimeout(resolveWait, Math.min(pollIntervalMs, remainingMs)),
    );
    behind = await projectionsBehind(pool, projections, position);
  }
  if (behind.length > 0) throw new ConsistencyTimeoutError(position, timeoutMs, behind);
}
