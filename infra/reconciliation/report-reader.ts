import type { ReportFormat, ReportLine } from '../../domain/reconciliation/index.ts';
import { duplicateKeys } from '../../domain/reconciliation/index.ts';
import { CompactKeyTable } from './compact-key-table.ts';
import { csvRecordBatches, CsvSyntaxError } from './csv-records.ts';
import type { FormatReader, RowParser } from './format-reader.ts';
import { LineSpill } from './line-spill.ts';
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
      /** The accepted lines, for the apply pass; the caller disposes of it. */
      lines: LineSpill;
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

/**
 * Tracks the first line of each duplicate key, in a few tens of bytes per key. Every key of a
 * line is remembered from the first line that has it, so a later line repeating any of them
 * is a duplicate (of the line that had the first of its keys).
 */
class DuplicateTracker {
  private readonly firstLines = new CompactKeyTable();
  readonly duplicates = new Map<number, number>();

  observe(line: ReportLine): void {
    let first: number | undefined;
    for (const key of duplicateKeys(line)) {
      const earlier = this.firstLines.claim(key, line.lineNumber);
      first ??= earlier;
    }
    if (first !== undefined) this.duplicates.set(line.lineNumber, first);
  }
}

interface Period {
  /** ISO instants as parseReportInstant writes them compare as text in time order. */
  start: string | null;
  end: string | null;
}

function widen(period: Period, instant: string): void {
  if (period.start === null || instant < period.start) period.start = instant;
  if (period.end === null || instant > period.end) period.end = instant;
}

/**
 * Pass one: reads the whole file, streaming, and checks every row without touching anything.
 * A file with any bad row is refused as a whole, with the line numbers at fault. The accepted
 * lines are spilled to a private temporary file for the apply pass (see LineSpill).
 */
export async function validateReport(
  source: ReportSource,
  format: ReportFormat,
  options: { workerMinBytes?: number } = {},
): Promise<ValidatedReport> {
  const spill = await LineSpill.create();
  try {
    const validated = await readAndCheck(source, format, spill, options.workerMinBytes);
    if (validated.ok) await spill.finish();
    else await spill.dispose();
    return validated;
  } catch (error) {
    await spill.dispose();
    throw error;
  }
}

interface Check {
  format: ReportFormat;
  spill: LineSpill;
  problems: ProblemList;
  duplicates: DuplicateTracker;
  period: Period;
  parseRow: RowParser | undefined;
  lineCount: number;
  /** Set when the header does not read: nothing after it is looked at. */
  headerProblem: LineProblem | undefined;
}

function checkRecord(check: Check, lineNumber: number, fields: string[]): void {
  if (check.parseRow === undefined) {
    const header = FORMAT_READERS[check.format].readHeader(fields);
    if (header.ok) check.parseRow = header.parseRow;
    else check.headerProblem = { lineNumber, message: header.message };
    return;
  }
  check.lineCount += 1;
  const row = check.parseRow(fields, lineNumber);
  if (!row.ok) {
    check.problems.add(lineNumber, row.message);
    return;
  }
  // Once a problem is found the file is refused: keep counting, stop keeping lines.
  if (check.problems.count > 0) return;
  check.duplicates.observe(row.line);
  widen(check.period, row.line.occurredAt);
  check.spill.add(row.line);
}

async function readAndCheck(
  source: ReportSource,
  format: ReportFormat,
  spill: LineSpill,
  workerMinBytes: number | undefined,
): Promise<ValidatedReport> {
  const check: Check = {
    format,
    spill,
    problems: new ProblemList(),
    duplicates: new DuplicateTracker(),
    period: { start: null, end: null },
    parseRow: undefined,
    lineCount: 0,
    headerProblem: undefined,
  };
  const { problems, period } = check;
  const digest = { sha256: '' };
  try {
    for await (const records of csvRecordBatches(source, digest, workerMinBytes)) {
      for (let index = 0; index + 1 < records.length; index += 2) {
        checkRecord(check, records[index] as number, records[index + 1] as string[]);
        if (check.headerProblem !== undefined) return refused(null, [check.headerProblem]);
      }
      await spill.drain();
    }
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    problems.add(error.lineNumber, error.message);
    return refused(null, problems.listed, problems.count);
  }
  if (check.parseRow === undefined)
    return refused(digest.sha256, [{ lineNumber: 1, message: 'the file has no header' }]);
  if (problems.count > 0) return refused(digest.sha256, problems.listed, problems.count);
  return {
    ok: true,
    fileSha256: digest.sha256,
    lineCount: check.lineCount,
    periodStart: period.start,
    periodEnd: period.end,
    duplicates: check.duplicates.duplicates,
    lines: spill,
  };
}

function refused(
  fileSha256: string | null,
  problems: LineProblem[],
  count = problems.length,
): ValidatedReport {
  return { ok: false, fileSha256, problems, problemCount: count };
}
