import { createHash, type Hash } from 'node:crypto';
import type { Readable, TransformCallback } from 'node:stream';
import { CsvError, Parser } from 'csv-parse';

/** One CSV record with the file line it ends on (the header is line 1). */
export interface CsvRecord {
  lineNumber: number;
  fields: string[];
}

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

/**
 * csv-parse's own parser, hashing the bytes it is given (no second read, no extra stream stage)
 * and handing on the records of each chunk as one array, each paired with the line it ends on:
 * a million records then cost a few hundred stream reads, not a million. The parser's live
 * `info.lines` is exactly what its `info: true` option would copy into a fresh object for every
 * record; reading it as the record is pushed spares those objects.
 */
class NumberedParser extends Parser {
  private gathered: CsvRecord[] = [];

  constructor(private readonly hash: Hash) {
    super({
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      max_record_size: 64 * 1024,
    });
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    super._transform(chunk, encoding, (error?: Error | null) => {
      this.release();
      done(error);
    });
  }

  override _flush(done: TransformCallback): void {
    super._flush((error?: Error | null) => {
      this.release();
      done(error);
    });
  }

  override push(record: unknown, encoding?: BufferEncoding): boolean {
    if (record !== null) {
      this.gathered.push({ lineNumber: this.info.lines, fields: record as string[] });
      return true;
    }
    this.release();
    return super.push(null, encoding);
  }

  /** Hands on the records gathered so far, also those before a syntax error. */
  private release(): void {
    if (this.gathered.length === 0) return;
    const records = this.gathered;
    this.gathered = [];
    super.push(records);
  }
}

/**
 * Streams the records of a CSV file with csv-parse, a chunk's worth at a time; memory stays
 * bounded by the parser's buffers whatever the file size. `sha256` is complete once the
 * generator has finished.
 */
export async function* csvRecordBatches(
  input: Readable,
  digest?: { sha256: string },
): AsyncGenerator<CsvRecord[]> {
  const hash = createHash('sha256');
  const batches = input.pipe(new NumberedParser(hash));
  try {
    for await (const records of batches as AsyncIterable<CsvRecord[]>) yield records;
  } catch (error) {
    if (error instanceof CsvError) {
      const lines = (error as CsvError & { lines?: number }).lines ?? 0;
      throw new CsvSyntaxError(lines, error.message);
    }
    throw error;
  } finally {
    input.destroy();
  }
  if (digest !== undefined) digest.sha256 = hash.digest('hex');
}
