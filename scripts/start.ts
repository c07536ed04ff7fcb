import { ConfigError, loadConfig } from '../infra/config/env.ts';
import { DataDirectoryLockedError } from '../infra/eventstore-server/storage/directory-lock.ts';
import { createLogger } from '../infra/logging/logger.ts';
import { StartRefusedError, startService } from '../infra/runtime/service.ts';

function readConfig() {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) process.stderr.write(`config error: ${problem}\n`);
      process.exit(2);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const service = await startService(config, logger);
  logger.info({ url: service.url, graphql: `${service.url}/graphql` }, 'payment ledger ready');
  // The development key is printed once, to the terminal only: never through the logger.
  if (service.firstRunMessage) process.stdout.write(service.firstRunMessage(service.url));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

main().catch((error: unknown) => {
  // A DATA_DIR or a port in use is the operator's to resolve, not a bug: the message says it all.
  const text =
    error instanceof DataDirectoryLockedError || error instanceof StartRefusedError
      ? error.message
      : error instanceof Error
        ? error.stack
        : String(error);
  process.stderr.write(`start failed: ${text}\n`);
  process.exit(1);
});
