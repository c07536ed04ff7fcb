import type { ReportFormat, ReportLine } from '../../domain/reconciliation/index.ts';
import { duplicateKeys } from '../../domain/reconciliation/index.ts';
import { CompactKeyTable } from './compact-key-table.ts';
import { csvRecords, CsvSyntaxError } from './csv-records.ts';
import type { FormatReader, RowParser } from './format-reader.ts';
import { ledgerCsvFormat } from './ledger-format.ts';
import type { ReportSource } from './report-source.ts';
import { stripeBalanceFormat } from './stripe-format.ts';

export const FORMAT_READERS: Readonly<Record<ReportFormat, FormatReader>> = {
  stripe_balance_csv: stripeBalanceFormat,
  ledger_csv: ledgerCsvFormat,
};

/** A row that cannot be read, by its line in the file. */
export interface LineProblem {
  lineNumber: number;
  message: string;
}

/** Only the first problems are listed (the count covers all): a broken export can have millions. */
export const PROBLEMS_LISTED_MAX = 100;

export type ValidatedReport =
  | {
      ok: true;
      fileSha256: string;
      lineCount: number;
      periodStart: string | null;
      periodEnd: string | null;
      /** Line number of each repeated line → the line that first had it. */
      duplicates: ReadonlyMap<number, number>;
    }
  | { ok: false; fileSha256: string | null; problems: LineProblem[]; problemCount: number };

class ProblemList {
  readonly listed: LineProblem[] = [];
  count = 0;

  add(lineNumber: number, message: string): void {
    this.count += 1;
    if (this.listed.length < PROBLEMS_LISTED_MAX) this.listed.push({ lineNumber, message });
  }
}

/** Tracks the first line of each duplicate key, in about 16 bytes per key. */
class DuplicateTracker {
  private readonly firstLines = new CompactKeyTable();
  readonly duplicates = new Map<number, number>();

  observe(line: ReportLine): void {
    const keys = duplicateKeys(line);
    for (const key of keys) {
      const first = this.firstLines.get(key);
      if (first !== undefined) {
        this.duplicates.set(line.lineNumber, first);
        return;
      }
    }
    for (const key of keys) this.firstLines.set(key, line.lineNumber);
  }
}

/**
 * Pass one: reads the whole file, streaming, and checks every row without touching anything.
 * A file with any bad row is refused as a whole, with the line numbers at fault.
 */
export async function validateReport(
  source: ReportSource,
  format: ReportFormat,
): Promise<ValidatedReport> {
  const problems = new ProblemList();
  const duplicates = new DuplicateTracker();
  const digest = { sha256: '' };
  let parseRow: RowParser | undefined;
  let lineCount = 0;
  let periodStartMs = Number.POSITIVE_INFINITY;
  let periodEndMs = Number.NEGATIVE_INFINITY;
  try {
    for await (const record of csvRecords(source.open(), digest)) {
      if (parseRow === undefined) {
        const header = FORMAT_READERS[format].readHeader(record.fields);
        if (!header.ok)
          return refused(null, [{ lineNumber: record.lineNumber, message: header.message }]);
        parseRow = header.parseRow;
        continue;
      }
      lineCount += 1;
      const row = parseRow(record.fields, record.lineNumber);
      if (!row.ok) {
        problems.add(record.lineNumber, row.message);
        continue;
      }
      duplicates.observe(row.line);
      const atMs = Date.parse(row.line.occurredAt);
      periodStartMs = Math.min(periodStartMs, atMs);
      periodEndMs = Math.max(periodEndMs, atMs);
    }
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    problems.add(error.lineNumber, error.message);
    return refused(null, problems.listed, problems.count);
  }
  if (parseRow === undefined)
    return refused(digest.sha256, [{ lineNumber: 1, message: 'the file has no header' }]);
  if (problems.count > 0) return refused(digest.sha256, problems.listed, problems.count);
  const hasLines = lineCount > 0;
  return {
    ok: true,
    fileSha256: digest.sha256,
    lineCount,
    periodStart: hasLines ? new Date(periodStartMs).toISOString() : null,
    periodEnd: hasLines ? new Date(periodEndMs).toISOString() : null,
    duplicates: duplicates.duplicates,
  };
}

function refused(
  fileSha256: string | null,
  problems: LineProblem[],
  count = problems.length,
): ValidatedReport {
  return { ok: false, fileSha256, problems, problemCount: count };
}

/** The file changed between the two passes: the run stops rather than apply another file. */
export class ReportChangedError extends Error {
  override readonly name = 'ReportChangedError';
}

/**
 * Pass two: the lines of a file pass one accepted, streaming. Any row that no longer parses,
 * or a different hash at the end, means the file changed under the run.
 */
export async function* reportLines(
  source: ReportSource,
  format: ReportFormat,
  expectedSha256: string,
): AsyncGenerator<ReportLine> {
  const digest = { sha256: '' };
  let parseRow: RowParser | undefined;
  for await (const record of csvRecords(source.open(), digest)) {
    if (parseRow === undefined) {
      const header = FORMAT_READERS[format].readHeader(record.fields);
      if (!header.ok) throw new ReportChangedError(`header no longer reads: ${header.message}`);
      parseRow = header.parseRow;
      continue;
    }
    const row = parseRow(record.fields, record.lineNumber);
    if (!row.ok) throw new ReportChangedError(`line ${record.lineNumber} no longer reads`);
    yield row.line;
  }
  if (digest.sha256 !== expectedSha256)
    throw new ReportChangedError('the file changed during the run');
}
