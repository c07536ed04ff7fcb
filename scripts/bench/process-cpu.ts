import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * CPU seconds (user + system) of processes, from Linux /proc; 0 elsewhere. On a shared machine
 * CPU per operation is steadier than wall-clock throughput, and it shows which process the
 * time goes to.
 */
const ticksPerSecond = 100;

async function statFields(pid: number): Promise<string[] | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces; the fields after it are plain numbers.
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime + stime, and with `reapedChildren` also the exited children it waited for. */
export async function cpuSecondsOf(pid: number, reapedChildren = false): Promise<number> {
  const fields = await statFields(pid);
  if (fields === undefined) return 0;
  const own = Number(fields[11]) + Number(fields[12]);
  const reaped = reapedChildren ? Number(fields[13]) + Number(fields[14]) : 0;
  return (own + reaped) / ticksPerSecond;
}

/** A PostgreSQL server's CPU: the postmaster, its live backends and every backend that ended. */
export async function postgresCpuSeconds(dataDirectory: string): Promise<number> {
  let postmaster: number;
  try {
    const pidText = (await readFile(join(dataDirectory, 'postmaster.pid'), 'utf8')).split('\n')[0];
    postmaster = Number.parseInt(pidText ?? '', 10);
  } catch {
    return 0;
  }
  if (!Number.isInteger(postmaster)) return 0;
  let total = await cpuSecondsOf(postmaster, true);
  const entries = await readdir('/proc').catch(() => [] as string[]);
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = await statFields(Number(entry));
    if (fields !== undefined && Number(fields[1]) === postmaster) {
      total += (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
    }
  }
  return total;
}

/** This process's own CPU seconds. */
export function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}
