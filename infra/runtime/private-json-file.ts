import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Readable and writable by its owner only. */
const fileMode = 0o600;

export interface PrivateJsonFile<Value> {
  value: Value;
  /** This call wrote the file (a first start); false when it was there already. */
  created: boolean;
}

/** The file's value, or undefined when there is no file; throws when `parse` refuses it. */
export async function readPrivateJson<Value>(
  path: string,
  parse: (json: unknown) => Value | undefined,
): Promise<Value | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const value = parse(json);
  if (value === undefined) throw new Error(`${path} is malformed`);
  return value;
}

/**
 * The file another process just created: it may still be empty or half written for a moment
 * (exclusive creation and the write are two steps), so a malformed read is tried again briefly.
 */
async function readWinner<Value>(
  path: string,
  parse: (json: unknown) => Value | undefined,
): Promise<Value> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const value = await readPrivateJson(path, parse);
      if (value !== undefined) return value;
      if (attempt >= 40) throw new Error(`${path} vanished after another process created it`);
    } catch (error) {
      if (attempt >= 40) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * A small secret kept in a JSON file of its owner's (mode 0600): read when it exists, else
 * created once. Creation uses the exclusive flag, so two processes starting together end up with
 * the same value: the loser reads the winner's file.
 */
export async function loadOrCreatePrivateJson<Value>(
  path: string,
  parse: (json: unknown) => Value | undefined,
  create: () => Value,
): Promise<PrivateJsonFile<Value>> {
  const existing = await readPrivateJson(path, parse);
  if (existing !== undefined) return { value: existing, created: false };
  await mkdir(dirname(path), { recursive: true });
  const value = create();
  try {
    await writeFile(path, `${JSON.stringify(value, null, 2)}\n`, { mode: fileMode, flag: 'wx' });
    // The mode given to writeFile is filtered by the umask; make sure nobody else can read it.
    await chmod(path, fileMode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { value: await readWinner(path, parse), created: false };
  }
  return { value, created: true };
}

/** Writes (or replaces) the file atomically: a reader sees the old value or the new, whole. */
export async function writePrivateJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: fileMode });
  await chmod(temporary, fileMode);
  await rename(temporary, path);
}
