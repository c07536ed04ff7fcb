/**
 * Memory of a running service, read from /proc: every process descending from the service's
 * own process is counted (the API, the embedded event store it runs, anything else it starts),
 * except the embedded PostgreSQL, which is a separate server and is reported apart.
 */
import { readdir, readFile } from 'node:fs/promises';

export type ProcessRole = 'api' | 'eventstore' | 'postgres' | 'other';

export interface ProcessMemory {
  pid: number;
  role: ProcessRole;
  rssMiB: number;
  /** Proportional set size: shared pages split between the processes that map them. */
  pssMiB: number;
}

export interface ServiceMemory {
  /** RSS of every counted process, summed (shared pages counted in each: the larger figure). */
  serviceRssMiB: number;
  byRole: Record<ProcessRole, number>;
  postgresRssMiB: number;
  postgresPssMiB: number;
  postgresProcesses: number;
  processes: ProcessMemory[];
}

/** Descendants of a process, the process included; children of every thread are read. */
async function descendants(pid: number, depthMax = 8): Promise<number[]> {
  if (depthMax === 0) return [pid];
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const lists = await Promise.all(
    tasks.map((task) => readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '')),
  );
  const children = lists.join(' ').split(/\s+/).filter(Boolean).map(Number);
  const below = await Promise.all(children.map((child) => descendants(child, depthMax - 1)));
  return [pid, ...below.flat()];
}

function kibField(text: string, field: string): number {
  return Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
}

async function roleOf(pid: number, rootPid: number, parentRole: ProcessRole): Promise<ProcessRole> {
  if (parentRole === 'postgres') return 'postgres';
  if (pid === rootPid) return 'api';
  const commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''))
    .split('\0')
    .join(' ');
  if (/\/postgres(\s|$)/.test(commandLine)) return 'postgres';
  if (/esdb\.(js|ts)/.test(commandLine)) return 'eventstore';
  return 'other';
}

async function measure(
  pid: number,
  role: ProcessRole,
  withPss: boolean,
): Promise<ProcessMemory | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  if (status === undefined) return undefined; // exited meanwhile
  // The kernel walks every page table of a process for its PSS: dear, so only when asked for.
  const rollup = withPss
    ? await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '')
    : '';
  return {
    pid,
    role,
    rssMiB: kibField(status, 'VmRSS') / 1024,
    pssMiB: kibField(rollup, 'Pss') / 1024,
  };
}

/** The service's memory now; PSS (`withPss`, costly for the kernel) or 0. */
export async function serviceMemory(rootPid: number, withPss = true): Promise<ServiceMemory> {
  const pids = await descendants(rootPid);
  const roles = new Map<number, ProcessRole>();
  // descendants() lists parents before their children, so a parent's role is known first.
  const parentOf = async (pid: number): Promise<number> => {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? 0);
  };
  for (const pid of pids) {
    const parentRole = roles.get(await parentOf(pid)) ?? 'api';
    roles.set(pid, await roleOf(pid, rootPid, parentRole));
  }
  const measured = (await Promise.all(pids.map((pid) => measure(pid, roles.get(pid)!, withPss)))).filter(
    (entry): entry is ProcessMemory => entry !== undefined,
  );
  const byRole: Record<ProcessRole, number> = { api: 0, eventstore: 0, postgres: 0, other: 0 };
  for (const entry of measured) byRole[entry.role] += entry.rssMiB;
  const postgres = measured.filter((entry) => entry.role === 'postgres');
  return {
    serviceRssMiB: byRole.api + byRole.eventstore + byRole.other,
    byRole,
    postgresRssMiB: byRole.postgres,
    postgresPssMiB: postgres.reduce((sum, entry) => sum + entry.pssMiB, 0),
    postgresProcesses: postgres.length,
    processes: measured,
  };
}

/**
 * Samples the service's RSS every `intervalMs` (cheaply: no PSS, which would take CPU from what
 * is measured); `stop()` returns the sample with the largest service RSS, with PostgreSQL's PSS
 * read once, at the end.
 */
export function samplePeakServiceMemory(
  rootPid: number,
  intervalMs = 250,
): { stop(): Promise<ServiceMemory | undefined> } {
  let peak: ServiceMemory | undefined;
  let pending: Promise<void> = Promise.resolve();
  const sample = (): void => {
    pending = pending.then(async () => {
      const current = await serviceMemory(rootPid, false);
      if (peak === undefined || current.serviceRssMiB > peak.serviceRssMiB) peak = current;
    });
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: async () => {
      clearInterval(timer);
      sample();
      await pending;
      if (peak === undefined) return undefined;
      const last = await serviceMemory(rootPid, true);
      return { ...peak, postgresPssMiB: last.postgresPssMiB };
    },
  };
}

/** Which processes the peak RSS counts, and PostgreSQL's own figure beside it. */
export function memoryNote(memory: ServiceMemory | undefined): string {
  if (!memory) return 'memory not sampled';
  const mib = (value: number) => Math.round(value);
  const other = memory.byRole.other > 0 ? ` + other ${mib(memory.byRole.other)}` : '';
  return (
    `RSS = API ${mib(memory.byRole.api)} + event store ${mib(memory.byRole.eventstore)}${other} MiB; ` +
    `PostgreSQL apart: ${memory.postgresProcesses} processes, RSS ${mib(memory.postgresRssMiB)}, ` +
    `PSS at the end ${mib(memory.postgresPssMiB)} MiB`
  );
}
