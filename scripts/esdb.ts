import { parseArgs } from 'node:util';
import { startEventStoreServer } from '../infra/eventstore-server/index.ts';

const usage =
  'usage: npm run esdb -- --port 2113 --db ./.data/esdb [--host 127.0.0.1] [--tls-cert file --tls-key file [--tls-ca file]] [--exit-with-parent]';

function parseOptions() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '2113' },
      db: { type: 'string', default: './.data/esdb' },
      host: { type: 'string', default: '127.0.0.1' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-ca': { type: 'string' },
      // Run by another process (npm start): stop, as on SIGTERM, when standard input closes,
      // which the kernel does when that process dies in any way, SIGKILL included.
      'exit-with-parent': { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`invalid --port\n${usage}`);
  const certificateFile = values['tls-cert'];
  const privateKeyFile = values['tls-key'];
  if ((certificateFile === undefined) !== (privateKeyFile === undefined)) {
    throw new Error(`--tls-cert and --tls-key go together\n${usage}`);
  }
  const tls =
    certificateFile !== undefined && privateKeyFile !== undefined
      ? { certificateFile, privateKeyFile, certificateAuthorityFile: values['tls-ca'] }
      : undefined;
  return {
    port,
    dataDirectory: values.db,
    host: values.host,
    tls,
    exitWithParent: values['exit-with-parent'],
  };
}

async function main(): Promise<void> {
  const { exitWithParent, ...options } = parseOptions();
  // Set once the server is up; a log failure can only come after that.
  let onLogFailure: (error: Error) => void = () => undefined;
  const server = await startEventStoreServer({
    ...options,
    logger: (line) => process.stderr.write(`${line}\n`),
    onLogFailure: (error) => onLogFailure(error),
  });
  process.stdout.write(
    `esdb listening on ${server.connectionString} (db ${options.dataDirectory}, ${server.eventCount()} events)\n`,
  );
  let stopping = false;
  const stop = (signal: string, exitCode = 0): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`esdb stopping on ${signal}\n`);
    server.close().then(
      () => process.exit(exitCode),
      (error: unknown) => {
        process.stderr.write(`esdb failed to stop cleanly: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  // Fail-stop: what was acknowledged is on disk; what was not was refused. Exit 1, so that a
  // supervisor (npm start) starts it again and recovery truncates the torn tail.
  onLogFailure = (error) => stop(`${error.message}; a restart recovers the log`, 1);
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  if (exitWithParent) {
    // Nothing is ever sent on it: its end means the parent is gone, and nobody will stop us.
    // Its pipes for our output are gone too: a write to them fails (EPIPE), which must not
    // end the process before the store is closed.
    const ignore = () => undefined;
    process.stdout.on('error', ignore);
    process.stderr.on('error', ignore);
    process.stdin.on('data', ignore);
    process.stdin.once('end', () => stop('the end of standard input (parent gone)'));
    process.stdin.once('error', () => stop('an error on standard input (parent gone)'));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `esdb failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
