/**
 * `npm run bench [-- --quick] [-- --only NAME,...]`: every scenario next to its reference measured in
 * the same run, written to bench/results.json and bench/RESULTS.md. Each scenario starts its own
 * embedded servers on free ports and sends load only to 127.0.0.1.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { markdownTable, type BenchRow } from './bench-row.ts';

type Scenario = { name: string; run: (options: { quick: boolean }) => Promise<BenchRow[]> };

const scenarios: Scenario[] = [
  {
    name: 'eventstore',
    run: async (options) => (await import('./eventstore.ts')).runEventStoreBench(options),
  },
  {
    name: 'commands',
    run: async (options) => (await import('./command-path.ts')).runCommandPathBench(options),
  },
  {
    name: 'projections',
    run: async (options) => (await import('./projections.ts')).runProjectionBench(options),
  },
  {
    name: 'graphql',
    run: async (options) => (await import('./graphql.ts')).runGraphqlBench(options),
  },
  {
    name: 'webhooks',
    run: async (options) => (await import('./webhooks.ts')).runWebhookBench(options),
  },
  {
    name: 'reconciliation',
    run: async (options) => (await import('./reconciliation.ts')).runReconciliationBench(options),
  },
];

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const only = argument('--only')?.split(',');
  const rows: BenchRow[] = [];
  const failures: string[] = [];
  for (const scenario of scenarios) {
    if (only && !only.includes(scenario.name)) continue;
    process.stdout.write(`\n== ${scenario.name} (${quick ? 'quick' : 'full'}) ==\n`);
    const startedMs = performance.now();
    try {
      const scenarioRows = await scenario.run({ quick });
      rows.push(...scenarioRows);
      process.stdout.write(markdownTable(scenarioRows));
      const seconds = (performance.now() - startedMs) / 1000;
      process.stdout.write(`(${scenario.name}: ${seconds.toFixed(1)} s)\n`);
    } catch (error) {
      failures.push(`${scenario.name}: ${error instanceof Error ? error.message : String(error)}`);
      process.stdout.write(`scenario ${scenario.name} failed: ${String(error)}\n`);
    }
  }
  const machine = `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`;
  const when = new Date().toISOString();
  await mkdir('bench', { recursive: true });
  await writeFile(
    'bench/results.json',
    JSON.stringify({ when, machine, mode: quick ? 'quick' : 'full', rows, failures }, null, 2),
  );
  const floorsMissed = rows.filter((row) => row.floor !== undefined && !row.floorMet);
  await writeFile(
    'bench/RESULTS.md',
    `# Benchmark results\n\n${when}, ${quick ? 'quick' : 'full'} mode, ${machine}.\n` +
      `Every reference is measured in the same run; ratio = throughput / reference.\n\n` +
      markdownTable(rows) +
      (failures.length > 0 ? `\nFailed scenarios:\n${failures.map((line) => `- ${line}`).join('\n')}\n` : '') +
      (floorsMissed.length > 0
        ? `\nFloors missed: ${floorsMissed.map((row) => row.scenario).join('; ')}\n`
        : ''),
  );
  process.stdout.write(`\nwrote bench/results.json and bench/RESULTS.md\n`);
  process.exit(failures.length > 0 ? 1 : 0);
}

await main();
