import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CurrencyCode } from '../../domain/money/index.ts';
import type { LineKind, ReportLine } from '../../domain/reconciliation/index.ts';

/** Bytes gathered before one write: few system calls, bounded memory. */
const WRITE_CHUNK_BYTES = 256 * 1024;
const READ_CHUNK_BYTES = 1024 * 1024;
/** Lines per spilled record: one JSON.parse per thousand lines is much cheaper than per line. */
const RECORD_LINES = 1_000;

/** Minor units as a JSON number when a double holds them exactly, else as text. */
type StoredAmount = number | string;

function storedAmount(value: bigint): StoredAmount {
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : value.toString();
}

/**
 * A thousand lines column by column. Kind, provider type and currency take a handful of
 * values in a report: they are stored as indices into `texts`, so the file is a fifth smaller
 * and reads faster.
 */
interface Columns {
  texts: string[];
  lineNumber: number[];
  lineId: string[];
  kind: number[];
  sourceType: number[];
  paymentReference: (string | null)[];
  paymentId: (string | null)[];
  itemId: (string | null)[];
  amount: StoredAmount[];
  fee: StoredAmount[];
  net: StoredAmount[];
  currency: number[];
  occurredAt: string[];
}

function emptyColumns(): Columns {
  return {
    texts: [],
    lineNumber: [],
    lineId: [],
    kind: [],
    sourceType: [],
    paymentReference: [],
    paymentId: [],
    itemId: [],
    amount: [],
    fee: [],
    net: [],
    currency: [],
    occurredAt: [],
  };
}

/** Builds one record's columns; `texts` holds each repeated value once. */
class ColumnWriter {
  columns = emptyColumns();
  private textIndex = new Map<string, number>();

  private text(value: string): number {
    let index = this.textIndex.get(value);
    if (index === undefined) {
      index = this.columns.texts.push(value) - 1;
      this.textIndex.set(value, index);
    }
    return index;
  }

  push(line: ReportLine): void {
    const columns = this.columns;
    columns.lineNumber.push(line.lineNumber);
    columns.lineId.push(line.lineId);
    columns.kind.push(this.text(line.kind));
    columns.sourceType.push(this.text(line.sourceType));
    columns.paymentReference.push(line.paymentReference);
    columns.paymentId.push(line.paymentId);
    columns.itemId.push(line.itemId);
    columns.amount.push(storedAmount(line.amount));
    columns.fee.push(storedAmount(line.fee));
    columns.net.push(storedAmount(line.net));
    columns.currency.push(this.text(line.currency));
    columns.occurredAt.push(line.occurredAt);
  }

  /** The record as JSON, and a fresh writer state for the next. */
  take(): string {
    const text = JSON.stringify(this.columns);
    this.columns = emptyColumns();
    this.textIndex = new Map();
    return text;
  }
}

function linesOf(text: string): ReportLine[] {
  const columns = JSON.parse(text) as Columns;
  const texts = columns.texts;
  const lines: ReportLine[] = [];
  for (let index = 0; index < columns.lineNumber.length; index += 1) {
    lines.push({
      lineNumber: columns.lineNumber[index] ?? 0,
      lineId: columns.lineId[index] ?? '',
      kind: (texts[columns.kind[index] ?? -1] ?? 'other') as LineKind,
      sourceType: texts[columns.sourceType[index] ?? -1] ?? '',
      paymentReference: columns.paymentReference[index] ?? null,
      paymentId: columns.paymentId[index] ?? null,
      itemId: columns.itemId[index] ?? null,
      amount: BigInt(columns.amount[index] ?? 0),
      fee: BigInt(columns.fee[index] ?? 0),
      net: BigInt(columns.net[index] ?? 0),
      currency: (texts[columns.currency[index] ?? -1] ?? '') as CurrencyCode,
      occurredAt: columns.occurredAt[index] ?? '',
    });
  }
  return lines;
}

/**
 * The lines the validation pass accepted, kept in a private temporary file so that the apply
 * pass reads them back instead of parsing the CSV a second time (parsing is most of a large
 * run's cost). What is applied is then exactly what was validated and hashed, even if the
 * report file changes meanwhile. JSON, since ids may hold any character, a thousand lines to a
 * file line (newlines inside strings are escaped).
 */
export class LineSpill {
  private readonly writer = new ColumnWriter();
  private pending: string[] = [];
  private pendingBytes = 0;
  private count = 0;
  private finished = false;

  private constructor(
    private readonly directory: string,
    private readonly path: string,
    private readonly output: WriteStream,
  ) {}

  static async create(): Promise<LineSpill> {
    const directory = await mkdtemp(join(tmpdir(), 'ledger-reconcile-'));
    const path = join(directory, 'lines.jsonl');
    const output = createWriteStream(path, { mode: 0o600 });
    await once(output, 'open');
    return new LineSpill(directory, path, output);
  }

  get lineCount(): number {
    return this.count;
  }

  /** Keeps the line in memory; `drain` writes what has gathered. */
  add(line: ReportLine): void {
    this.writer.push(line);
    this.count += 1;
    if (this.writer.columns.lineNumber.length >= RECORD_LINES) this.seal();
  }

  /** Writes the gathered lines once there are enough of them; waits only when the disk is behind. */
  async drain(): Promise<void> {
    if (this.pendingBytes >= WRITE_CHUNK_BYTES) await this.flush();
  }

  private seal(): void {
    if (this.writer.columns.lineNumber.length === 0) return;
    const text = this.writer.take();
    this.pending.push(text);
    this.pendingBytes += text.length + 1;
  }

  private async flush(): Promise<void> {
    this.seal();
    if (this.pending.length === 0) return;
    const chunk = `${this.pending.join('\n')}\n`;
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.output.write(chunk)) await once(this.output, 'drain');
  }

  /** Writes what is left and closes the file; the lines can be read from then on. */
  async finish(): Promise<void> {
    if (this.finished) return;
    await this.flush();
    this.output.end();
    await once(this.output, 'finish');
    this.finished = true;
  }

  /** The spilled lines in file order, streaming, up to a thousand at a time. */
  async *batches(): AsyncGenerator<ReportLine[]> {
    if (!this.finished) throw new Error('the spill is still being written');
    const input = createReadStream(this.path, {
      encoding: 'utf8',
      highWaterMark: READ_CHUNK_BYTES,
    });
    let rest = '';
    try {
      for await (const chunk of input as AsyncIterable<string>) {
        const text = rest + chunk;
        let start = 0;
        for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
          yield linesOf(text.slice(start, end));
          start = end + 1;
        }
        rest = text.slice(start);
      }
    } finally {
      input.destroy();
    }
    if (rest.length > 0) throw new Error('the spill file ends in the middle of a line');
  }

  /** Removes the file; safe to call more than once, and while it is still being written. */
  async dispose(): Promise<void> {
    if (!this.output.closed) {
      this.output.destroy();
      await once(this.output, 'close').catch(() => undefined);
    }
    await rm(this.directory, { recursive: true, force: true });
  }
}
