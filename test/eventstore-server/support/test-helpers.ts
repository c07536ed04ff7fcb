import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// No client imports here: the kurrent test must not load @eventstore/db-client's generated code,
// which registers the same global protobuf names with a different layout.

export async function temporaryDirectory(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

let streamCounter = 0;

/** Every test owns its streams. */
export function uniqueStream(prefix = 'test'): string {
  streamCounter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${streamCounter}`;
}

export async function collect<T>(iterable: AsyncIterable<T>, limit = 100_000): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) {
    items.push(item);
    if (items.length >= limit) break;
  }
  return items;
}

/** Resolves with the thrown error, or fails when nothing is thrown. */
export async function failureOf(action: () => Promise<unknown>): Promise<Error> {
  try {
    await action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
