import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { CsvError } from 'csv-parse';
import { NumberedParser } from './numbered-csv-parser.mjs';
import type { ReportSource } from './report-source.ts';

/**
 * The records of one chunk, flat: line number, fields, line number, fields, … (the header is
 * line 1; a record's line is the one it ends on). Flat, so a million records are not a million
 * objects.
 */
export type RecordBatch = (number | string[])[];

/** The file is not CSV at some line (an unclosed quote, a stray quote): nothing after it reads. */
export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  constructor(
    readonly lineNumber: number,
    message: string,
  ) {
    super(message);
  }
}

/** Where the CSV is parsed: on a thread of its own for files this large, else in-line. */
export const WORKER_MIN_BYTES_DEFAULT = 8 * 1024 * 1024;
/** Chunks the worker may parse ahead of the reader: bounds memory (~256 KiB of text each). */
const WORKER_AHEAD_MAX = 8;

function syntaxError(error: unknown): unknown {
  if (!(error instanceof CsvError)) return error;
  const lines = (error as CsvError & { lines?: number }).lines ?? 0;
  return new CsvSyntaxError(lines, error.message);
}

async function* inlineBatches(
  source: ReportSource,
  digest: { sha256: string },
): AsyncGenerator<RecordBatch> {
  const hash = createHash('sha256');
  const input = source.open();
  const batches = input.pipe(new NumberedParser(hash));
  try {
    for await (const records of batches as AsyncIterable<RecordBatch>) yield records;
  } catch (error) {
    throw syntaxError(error);
  } finally {
    input.destroy();
  }
  digest.sha256 = hash.digest('hex');
}

type WorkerMessage =
  | { records: RecordBatch }
  | { sha256: string }
  | { error: { message: string; lines: number | null } };

/**
 * The same parser on a worker thread (csv-parse-worker.mjs), so that parsing and checking the
 * rows run side by side. Same records, same line numbers, same errors, same hash.
 */
async function* workerBatches(
  path: string,
  digest: { sha256: string },
): AsyncGenerator<RecordBatch> {
  const worker = new Worker(new URL('./csv-parse-worker.mjs', import.meta.url), {
    workerData: { path, aheadMax: WORKER_AHEAD_MAX },
    // Its records are short-lived: a small young generation keeps the thread's memory small.
    resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 128 },
  });
  const queue: WorkerMessage[] = [];
  let failure: unknown;
  let wake: (() => void) | undefined;
  worker.on('message', (message: WorkerMessage) => {
    queue.push(message);
    wake?.();
  });
  worker.on('error', (error) => {
    failure = error;
    wake?.();
  });
  try {
    for (let received = 0; received < Number.MAX_SAFE_INTEGER; received += 1) {
      while (queue.length === 0 && failure === undefined) {
        await new Promise<void>((resolve) => (wake = resolve));
      }
      const message = queue.shift();
      if (message === undefined) throw failure;
      if ('records' in message) {
        worker.postMessage({ read: 1 });
        yield message.records;
      } else if ('sha256' in message) {
        digest.sha256 = message.sha256;
        return;
      } else {
        const { lines, message: text } = message.error;
        throw lines === null ? new Error(text) : new CsvSyntaxError(lines, text);
      }
    }
  } finally {
    await worker.terminate();
  }
}

/**
 * Streams the records of a report with csv-parse, a chunk at a time; memory stays bounded by
 * the parser's buffers whatever the file size. `sha256` is complete once the generator has
 * finished. A file on disk of `workerMinBytes` or more is parsed on a worker thread.
 */
export async function* csvRecordBatches(
  source: ReportSource,
  digest: { sha256: string },
  workerMinBytes = WORKER_MIN_BYTES_DEFAULT,
): AsyncGenerator<RecordBatch> {
  const size = source.path === undefined ? 0 : (await stat(source.path)).size;
  if (source.path !== undefined && size >= workerMinBytes) {
    yield* workerBatches(source.path, digest);
  } else {
    yield* inlineBatches(source, digest);
  }
}
