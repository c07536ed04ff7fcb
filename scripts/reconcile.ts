/**
 * `npm run reconcile -- <file> [--format stripe|ledger] [--tenant T]` — reconciles a provider
 * report against the ledger. Two ways to reach it:
 *
 * - through a running service: `--url http://127.0.0.1:4000 --api-key KEY` (a key with the
 *   role operate) sends the file to the `reconcileReport` mutation;
 * - directly: with DATABASE_URL and ESDB_CONNECTION_STRING set (the same stores the service
 *   uses), or beside a service running on DATA_DIR (its stores are found), the run is made in
 *   this process, with a progress bar; best for very large files.
 *
 * Exit status: 0 when the run completed (exceptions included), 2 when the file was refused or
 * the arguments are wrong, 1 on any other failure.
 */
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { SingleBar, Presets } from 'cli-progress';
import type { ReportFormat } from '../domain/reconciliation/index.ts';
import { readDevelopmentKey } from '../api/auth/development-key.ts';
import { ConfigError, loadConfig, type Config } from '../infra/config/env.ts';
import { createLogger } from '../infra/logging/logger.ts';
import { storesOfRunningService } from '../projections/cli/infrastructure.ts';
import { EventStore } from '../infra/eventstore/event-store.ts';
import { createPool } from '../infra/postgres/pool.ts';
import {
  fileSource,
  ReconciliationService,
  type ReconcileResult,
} from '../infra/reconciliation/index.ts';

interface Arguments {
  file: string;
  format: ReportFormat;
  tenantId: string;
  actor: string;
  url: string | undefined;
  apiKey: string | undefined;
}

const USAGE = `usage: npm run reconcile -- <file> [--format stripe|ledger] [--tenant T]
       [--url http://127.0.0.1:4000 --api-key KEY] [--actor NAME]`;

class UsageError extends Error {}

function option(argv: readonly string[], name: string): string | undefined {
  const index = argv.indexOf(name);
  if (index < 0) return undefined;
  const value = argv[index + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
  return value;
}

function parseArguments(argv: readonly string[]): Arguments {
  const valued = new Set(['--format', '--tenant', '--actor', '--url', '--api-key']);
  const file = argv.find(
    (item, index) => !item.startsWith('--') && !valued.has(argv[index - 1] ?? ''),
  );
  if (file === undefined) throw new UsageError('which file?');
  const formatName = option(argv, '--format') ?? 'stripe';
  const formats: Record<string, ReportFormat> = {
    stripe: 'stripe_balance_csv',
    ledger: 'ledger_csv',
  };
  const format = formats[formatName];
  if (format === undefined) throw new UsageError('--format is stripe or ledger');
  return {
    file,
    format,
    tenantId: option(argv, '--tenant') ?? '*',
    actor: option(argv, '--actor') ?? `cli:${userInfo().username}`,
    url: option(argv, '--url'),
    apiKey: option(argv, '--api-key') ?? process.env.LEDGER_API_KEY,
  };
}

const MUTATION = `mutation Reconcile($input: ReconcileReportInput!) {
  reconcileReport(input: $input) {
    alreadyReconciled problemCount problems { line message } errors { code message }
    run { id merchantId lineCount status openExceptionCount counts {
      matched amountMismatch currencyMismatch statusMismatch missingInLedger
      missingAtProvider duplicate unsupported ignored } }
  }
}`;

async function throughService(args: Arguments, url: string, apiKey: string): Promise<number> {
  const bytes = await readFile(args.file);
  const input = {
    filename: args.file.split(/[\\/]/).at(-1) ?? 'report.csv',
    format: args.format === 'ledger_csv' ? 'LEDGER_CSV' : 'STRIPE_BALANCE_CSV',
    contentBase64: bytes.toString('base64'),
    ...(args.tenantId === '*' ? {} : { merchantId: args.tenantId }),
  };
  const response = await fetch(new URL('/graphql', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query: MUTATION, variables: { input } }),
  });
  const body = (await response.json()) as {
    data?: { reconcileReport?: Record<string, unknown> };
    errors?: unknown;
  };
  const payload = body.data?.reconcileReport;
  process.stdout.write(`${JSON.stringify(payload ?? body, null, 2)}\n`);
  if (payload === undefined) return 1;
  return Number(payload.problemCount ?? 0) > 0 ? 2 : 0;
}

function report(result: ReconcileResult): number {
  if (result.status === 'REFUSED') {
    process.stderr.write(`refused: ${result.problemCount} rows do not read; nothing was changed\n`);
    for (const problem of result.problems)
      process.stderr.write(`  line ${problem.lineNumber}: ${problem.message}\n`);
    return 2;
  }
  const verb = result.alreadyReconciled ? 'was already reconciled' : 'reconciled';
  process.stdout.write(`run ${result.runId} ${verb}: ${result.lineCount} lines\n`);
  for (const [outcome, count] of Object.entries(result.counts)) {
    if (count > 0) process.stdout.write(`  ${outcome.padEnd(20)} ${count}\n`);
  }
  return 0;
}

async function directly(
  args: Arguments,
  config: Config & { DATABASE_URL: string; ESDB_CONNECTION_STRING: string },
): Promise<number> {
  const store = EventStore.connect(config.ESDB_CONNECTION_STRING);
  const pool = createPool({
    connectionString: config.DATABASE_URL,
    maxConnections: 4,
    applicationName: 'ledger-reconcile',
  });
  const bar = new SingleBar(
    { format: ' {phase} [{bar}] {value}/{total} lines', hideCursor: true },
    Presets.shades_classic,
  );
  let started = false;
  try {
    const service = new ReconciliationService({ store, pool });
    const result = await service.reconcile(
      {
        source: fileSource(args.file),
        format: args.format,
        tenantId: args.tenantId,
        actor: args.actor,
      },
      (progress) => {
        if (!started && progress.lineCount > 0) {
          bar.start(progress.lineCount, 0, { phase: progress.phase });
          started = true;
        }
        if (started) bar.update(progress.linesDone, { phase: progress.phase });
      },
    );
    if (started) bar.stop();
    return report(result);
  } finally {
    await pool.end();
    await store.close();
  }
}

const NO_STORES = `Direct mode needs the service's stores: set DATABASE_URL and ESDB_CONNECTION_STRING,
or start the service on this DATA_DIR (\`npm start\`: its stores are then found). Or send the
file to a running service: --url http://127.0.0.1:4000 --api-key <key with role operate>.`;

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArguments(argv);
  const config = loadConfig();
  if (args.url !== undefined) {
    // On development defaults, the key npm start keeps under DATA_DIR.
    const apiKey = args.apiKey ?? (await readDevelopmentKey(config.DATA_DIR));
    if (apiKey === undefined) throw new UsageError('--url needs --api-key (or LEDGER_API_KEY)');
    return throughService(args, args.url, apiKey);
  }
  const { DATABASE_URL, ESDB_CONNECTION_STRING } = {
    ...config,
    ...(await storesOfRunningService(config, createLogger('warn'))),
  };
  if (DATABASE_URL === undefined || ESDB_CONNECTION_STRING === undefined) {
    process.stderr.write(`${NO_STORES}\n`);
    return 2;
  }
  return directly(args, { ...config, DATABASE_URL, ESDB_CONNECTION_STRING });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${USAGE}\n`);
      process.exit(2);
    }
    if (error instanceof ConfigError) {
      for (const problem of error.problems) process.stderr.write(`config error: ${problem}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `reconcile failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
