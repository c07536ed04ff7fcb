import { createHash, type Hash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { CsvError, parse } from 'csv-parse';

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

/** Passes bytes through unchanged while hashing them, so the hash costs no second read. */
class HashingPassThrough extends Transform {
  constructor(private readonly hash: Hash) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    done(null, chunk);
  }
}

/**
 * Streams the records of a CSV file with csv-parse; memory stays bounded by the parser's
 * buffers whatever the file size. `sha256` is complete once the generator has finished.
 */
export async function* csvRecords(
  input: Readable,
  digest?: { sha256: string },
): AsyncGenerator<CsvRecord> {
  const hash = createHash('sha256');
  const parser = parse({
    info: true,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: 64 * 1024,
  });
  const records = input.pipe(new HashingPassThrough(hash)).pipe(parser);
  try {
    for await (const item of records as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      yield { lineNumber: item.info.lines, fields: item.record };
    }
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
