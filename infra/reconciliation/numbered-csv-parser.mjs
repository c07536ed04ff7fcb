// Plain JavaScript, so that a worker thread can load it without the TypeScript loader; its
// types are in numbered-csv-parser.d.mts. The same parser runs in the worker and in-line.
import { Parser } from 'csv-parse';

/** The CSV dialect every report is read with. */
export const CSV_OPTIONS = Object.freeze({
  bom: true,
  relax_column_count: true,
  skip_empty_lines: true,
  max_record_size: 64 * 1024,
});

/**
 * csv-parse's own parser, hashing the bytes it is given (no second read, no extra stream stage)
 * and handing on the records of each chunk as one flat array [line, fields, line, fields, …],
 * each record paired with the line it ends on: a million records then cost a few hundred stream
 * reads, not a million. The parser's live `info.lines` is exactly what its `info: true` option
 * would copy into a fresh object for every record; reading it as the record is pushed spares
 * those objects.
 */
export class NumberedParser extends Parser {
  constructor(hash) {
    super(CSV_OPTIONS);
    this.hash = hash;
    this.gathered = [];
  }

  _transform(chunk, encoding, done) {
    this.hash.update(chunk);
    super._transform(chunk, encoding, (error) => {
      this.release();
      done(error);
    });
  }

  _flush(done) {
    super._flush((error) => {
      this.release();
      done(error);
    });
  }

  push(record, encoding) {
    if (record !== null) {
      this.gathered.push(this.info.lines, record);
      return true;
    }
    this.release();
    return super.push(null, encoding);
  }

  /** Hands on the records gathered so far, also those before a syntax error. */
  release() {
    if (this.gathered.length === 0) return;
    const records = this.gathered;
    this.gathered = [];
    super.push(records);
  }
}
