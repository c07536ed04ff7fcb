import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));
const readyTimeoutMs = 20_000;

export interface ChildServer {
  process: ChildProcess;
  port: number;
  connectionString: string;
  readyLine: string;
}

/** Runs `scripts/esdb.ts` as a real process, resolving once it prints its ready line. */
export function spawnServer(dataDirectory: string): Promise<ChildServer> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/esdb.ts', '--port', '0', '--db', dataDirectory],
    {
      cwd: repositoryRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    let errors = '';
    const timer = setTimeout(
      () => reject(new Error(`server not ready: ${errors}`)),
      readyTimeoutMs,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /esdb listening on (esdb:\/\/[^:]+:(\d+)\?tls=false)[^\n]*\n/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        process: child,
        port: Number(match[2]),
        connectionString: match[1] as string,
        readyLine: match[0].trim(),
      });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${errors}`));
    });
  });
}

export function waitForExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
