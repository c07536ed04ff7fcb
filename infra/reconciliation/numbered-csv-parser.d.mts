import type { Hash } from 'node:crypto';
import type { Transform } from 'node:stream';

export declare const CSV_OPTIONS: Readonly<Record<string, unknown>>;

/** Emits one flat array per chunk: line number, fields, line number, fields, … */
export declare class NumberedParser extends Transform {
  constructor(hash: Hash);
}
