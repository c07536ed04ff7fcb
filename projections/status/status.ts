import type { ProjectionEventSource } from '../core/event-source.ts';
import type { Pool } from '../../infra/postgres/pool.ts';
import type { Projection } from '../core/types.ts';
import { readAllCheckpoints, type CheckpointRow } from '../runner/checkpoints.ts';
import type { RunnerStats } from '../runner/stats.ts';

/** What the GraphQL layer shows per projection. Positions are bigint; lag is a lower bound. */
export interface ProjectionStatus {
  name: string;
  version: number;
  /** running | failed | paused (stored, shared by every instance). */
  state: string;
  /** catching_up | live | failed | paused | standby | unknown, as seen by the leader here. */
  phase: string;
  /** Instance holding the projection's lock, as last recorded. */
  owner: string | null;
  checkpoint: bigint | null;
  headPosition: bigint;
  /** Events of this projection's types after its checkpoint, counted up to `lagEventsMax`. */
  lagEvents: number;
  lagEventsCapped: boolean;
  /** Age of the oldest event not yet applied (0 when caught up). */
  lagSeconds: number;
  eventsApplied: bigint;
  /** Over the last ten seconds, on this instance (0 when another instance leads). */
  throughputPerSecond: number;
  lastError: string | null;
  lastErrorAt: Date | null;
  failedPosition: bigint | null;
  updatedAt: Date | null;
}

export interface StatusSources {
  pool: Pool;
  eventStore: ProjectionEventSource;
  projections: readonly Projection[];
  /** Runners of this process, for phase and throughput. */
  localStats?: () => readonly RunnerStats[];
  lagEventsMax?: number;
}

interface Lag {
  events: number;
  capped: boolean;
  seconds: number;
}

async function measureLag(
  sources: StatusSources,
  projection: Projection,
  checkpoint: bigint | null,
  head: bigint,
): Promise<Lag> {
  if (checkpoint !== null && checkpoint >= head) return { events: 0, capped: false, seconds: 0 };
  const limit = sources.lagEventsMax ?? 1_000;
  const page = await sources.eventStore.readAllPage(checkpoint ?? undefined, limit);
  const handled = new Set(projection.handles);
  const behind = page.filter(
    (event) => handled.has(event.type) && (checkpoint === null || event.position > checkpoint),
  );
  const oldest = behind[0]?.recordedAt;
  const seconds = oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest.getTime()) / 1_000);
  return { events: behind.length, capped: page.length >= limit, seconds };
}

function statusOf(
  projection: Projection,
  row: CheckpointRow | undefined,
  local: RunnerStats | undefined,
  head: bigint,
  lag: Lag,
): ProjectionStatus {
  const leaderHere = local?.role === 'leader';
  return {
    name: projection.name,
    version: projection.version,
    state: row?.state ?? 'running',
    phase: leaderHere ? local.phase : local?.role === 'standby' ? 'standby' : 'unknown',
    owner: row?.owner_instance ?? null,
    checkpoint: row?.position ?? null,
    headPosition: head,
    lagEvents: lag.events,
    lagEventsCapped: lag.capped,
    lagSeconds: lag.seconds,
    eventsApplied: row?.events_applied ?? 0n,
    throughputPerSecond: leaderHere ? local.throughputPerSecond() : 0,
    lastError: row?.last_error ?? local?.lastError ?? null,
    lastErrorAt: row?.last_error_at ?? local?.lastErrorAt ?? null,
    failedPosition: row?.failed_position ?? null,
    updatedAt: row?.updated_at ?? null,
  };
}

/** Status of every projection, from the shared checkpoint rows plus this process's runners. */
export async function readProjectionStatuses(sources: StatusSources): Promise<ProjectionStatus[]> {
  const [rows, head] = await Promise.all([
    readAllCheckpoints(sources.pool),
    sources.eventStore.headPosition(),
  ]);
  const locals = sources.localStats?.() ?? [];
  return Promise.all(
    sources.projections.map(async (projection) => {
      const row = rows.find(
        (candidate) =>
          candidate.projection_name === projection.name &&
          candidate.projection_version === projection.version,
      );
      const local = locals.find((stats) => stats.name === projection.name);
      const lag = await measureLag(sources, projection, row?.position ?? null, head);
      return statusOf(projection, row, local, head, lag);
    }),
  );
}
