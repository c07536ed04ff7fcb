import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readPrivateJson, writePrivateJson } from './private-json-file.ts';

/**
 * Where a running service says where its stores listen, under DATA_DIR (mode 0600: the
 * connection string holds the embedded PostgreSQL's password). The operator scripts (replay,
 * verify, reconcile) read it, so that they work beside `npm start` with nothing to configure.
 */
export const serviceEndpointsFileName = 'service-endpoints.json';

export interface ServiceEndpoints {
  pid: number;
  url: string;
  databaseUrl: string;
  eventStoreConnectionString: string;
  startedAt: string;
}

function pathUnder(dataDirectory: string): string {
  return join(resolve(dataDirectory), serviceEndpointsFileName);
}

function parse(json: unknown): ServiceEndpoints | undefined {
  const value = json as Partial<ServiceEndpoints> | null;
  if (typeof value?.pid !== 'number' || !Number.isInteger(value.pid)) return undefined;
  const texts = [value.url, value.databaseUrl, value.eventStoreConnectionString, value.startedAt];
  if (!texts.every((text) => typeof text === 'string' && text.length > 0)) return undefined;
  return value as ServiceEndpoints;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function writeServiceEndpoints(
  dataDirectory: string,
  endpoints: Omit<ServiceEndpoints, 'pid' | 'startedAt'>,
): Promise<void> {
  await writePrivateJson(pathUnder(dataDirectory), {
    pid: process.pid,
    ...endpoints,
    startedAt: new Date().toISOString(),
  } satisfies ServiceEndpoints);
}

/** Removes the file if it is this process's (a newer service may have replaced it). */
export async function removeServiceEndpoints(dataDirectory: string): Promise<void> {
  const current = await readPrivateJson(pathUnder(dataDirectory), parse).catch(() => undefined);
  if (current?.pid === process.pid) await rm(pathUnder(dataDirectory), { force: true });
}

/**
 * The endpoints of the service running on DATA_DIR, or undefined when none runs (no file, or the
 * process that wrote it is gone: a `kill -9` leaves the file behind, harmlessly).
 */
export async function readServiceEndpoints(
  dataDirectory: string,
): Promise<ServiceEndpoints | undefined> {
  const endpoints = await readPrivateJson(pathUnder(dataDirectory), parse).catch(() => undefined);
  return endpoints !== undefined && isAlive(endpoints.pid) ? endpoints : undefined;
}
