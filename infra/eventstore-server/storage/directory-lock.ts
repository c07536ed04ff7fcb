import { readFileSync } from 'node:fs';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * One server per data directory. Two servers appending to one log would interleave their
 * records and each would index only its own, so the second one must refuse to start.
 *
 * The lock is the file `esdb.lock`, created exclusively, naming the process that holds the
 * directory: its pid and, where /proc tells it, the kernel's start time of that process, so
 * that a pid reused later by another process (a container restarted, a machine rebooted) is not
 * taken for the holder. A lock whose holder is gone (killed, crashed) is stale and taken over.
 * A live holder is waited for a few seconds (one shutting down after its parent died releases
 * it then), and after that the start fails with `DataDirectoryLockedError`. The service takes
 * its DATA_DIR the same way (`service.lock`) before it starts its embedded stores.
 */
export const lockFileName = 'esdb.lock';

export class DataDirectoryLockedError extends Error {
  constructor(
    readonly directory: string,
    readonly holderPid: number,
    /** What holds it and what to do, e.g. "stop that server first (...)". */
    advice = 'stop that server first (one server per data directory)',
    what = "the event store's data directory",
  ) {
    super(`${what} ${directory} is in use by process ${holderPid}; ${advice}`);
    this.name = 'DataDirectoryLockedError';
  }
}

export interface DirectoryLock {
  release(): Promise<void>;
}

export interface LockOptions {
  /** How long a live holder is waited for before giving up. */
  waitMs?: number;
  pollMs?: number;
  /** The lock file in the directory; default `esdb.lock`. */
  fileName?: string;
  /** The error's words for the directory and for what to do (see DataDirectoryLockedError). */
  what?: string;
  advice?: string;
}

interface Holder {
  pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot); absent where there is no /proc. */
  startedAt?: string;
}

/** Lock files (by path) this process holds: a second take of one of them here is refused too. */
const heldHere = new Set<string>();

/** How old an empty or unreadable lock file must be before it counts as stale (a torn create). */
const unreadableStaleMs = 2_000;

/** State and start time of a process, from /proc/<pid>/stat; undefined where unreadable. */
function processStat(pid: number): { state: string; startedAt: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    const startedAt = fields[19];
    return state === undefined || startedAt === undefined ? undefined : { state, startedAt };
  } catch {
    return undefined;
  }
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, and belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process exists and has not exited (an exited child not reaped yet does not count). */
export function processRunning(pid: number): boolean {
  return runningStat(pid) !== false;
}

/** False when the process is gone; else its /proc stat, undefined where /proc tells nothing. */
function runningStat(pid: number): ReturnType<typeof processStat> | false {
  if (!pidExists(pid)) return false;
  const stat = processStat(pid);
  return stat?.state === 'Z' || stat?.state === 'X' ? false : stat;
}

function isAlive(holder: Holder, path: string): boolean {
  if (holder.pid === process.pid) return heldHere.has(path);
  const stat = runningStat(holder.pid);
  if (stat === false) return false;
  return (
    holder.startedAt === undefined || stat === undefined || holder.startedAt === stat.startedAt
  );
}

function parseHolder(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0) {
      return undefined;
    }
    return typeof value.startedAt === 'string'
      ? { pid: value.pid, startedAt: value.startedAt }
      : { pid: value.pid };
  } catch {
    return undefined;
  }
}

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolveDelay) => setTimeout(resolveDelay, milliseconds));
}

async function readLock(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Removes the lock file if it still holds `content` (another process may have replaced it). */
async function removeIfUnchanged(path: string, content: string): Promise<void> {
  if ((await readLock(path)) !== content) return;
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** Takes the data directory (which must exist) for this process; see the module's comment. */
export async function lockDataDirectory(
  dataDirectory: string,
  options: LockOptions = {},
): Promise<DirectoryLock> {
  const directory = resolve(dataDirectory);
  const path = join(directory, options.fileName ?? lockFileName);
  const locked = (pid: number) =>
    new DataDirectoryLockedError(directory, pid, options.advice, options.what);
  const stat = processStat(process.pid);
  const own: Holder =
    stat === undefined ? { pid: process.pid } : { pid: process.pid, startedAt: stat.startedAt };
  const content = `${JSON.stringify(own)}\n`;
  const deadline = Date.now() + (options.waitMs ?? 5_000);
  const pollMs = options.pollMs ?? 100;
  let unreadableSince: number | undefined;
  for (;;) {
    if (heldHere.has(path)) {
      // Another store of this process has it open (or is taking it right now).
      if (Date.now() > deadline) throw locked(process.pid);
    } else {
      // Marked before the create, so that an open racing in this process waits for this one.
      heldHere.add(path);
      try {
        await writeFile(path, content, { flag: 'wx', mode: 0o600 });
        return {
          release: async () => {
            heldHere.delete(path);
            await removeIfUnchanged(path, content);
          },
        };
      } catch (error) {
        heldHere.delete(path);
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const found = await readLock(path);
      if (found === undefined) continue;
      const holder = parseHolder(found);
      if (holder === undefined) {
        // Being written by its creator, or left torn by a crash between create and write.
        unreadableSince ??= Date.now();
        if (Date.now() - unreadableSince > unreadableStaleMs) {
          await removeIfUnchanged(path, found);
          unreadableSince = undefined;
          continue;
        }
      } else if (!isAlive(holder, path)) {
        await removeIfUnchanged(path, found);
        continue;
      } else if (Date.now() > deadline) {
        throw locked(holder.pid);
      }
    }
    await delay(pollMs);
  }
}
