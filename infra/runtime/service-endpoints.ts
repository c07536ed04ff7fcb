import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { processRunning } from '../eventstore-server/storage/directory-lock.ts';
import { readPrivateJson, writePrivateJson } from './private-json-file.ts';

/**
 * Where a running service says where it and its embedded stores listen, under DATA_DIR (mode
 * 0600: the connection string holds the embedded PostgreSQL's password). The operator scripts
 * (replay, verify, reconcile) read it, so that they work beside `npm start` with nothing to
 * configure. Stores given by DATABASE_URL / ESDB_CONNECTION_STRING are not written down: whoever
 * runs a script has that configuration already, and a configured password stays off the disk.
 */
export const serviceEndpointsFileName = 'service-endpoints.json';

export interface ServiceEndpoints {
  pid: number;
  url: string;
  /** The embedded PostgreSQL's, when the service runs one. */
  databaseUrl?: string;
  /** The embedded event store's, when the service runs one. */
  eventStoreConnectionString?: string;
  startedAt: string;
}

function pathUnder(dataDirectory: string): string {
  return join(resolve(dataDirectory), serviceEndpointsFileName);
}

function parse(json: unknown): ServiceEndpoints | undefined {
  const value = json as Partial<ServiceEndpoints> | null;
  if (typeof value?.pid !== 'number' || !Number.isInteger(value.pid)) return undefined;
  if (![value.url, value.startedAt].every((text) => typeof text === 'string')) return undefined;
  const optional = [value.databaseUrl, value.eventStoreConnectionString];
  if (!optional.every((text) => text === undefined || typeof text === 'string')) return undefined;
  return value as ServiceEndpoints;
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
  return endpoints !== undefined && processRunning(endpoints.pid) ? endpoints : undefined;
}
