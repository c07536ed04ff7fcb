import pg from 'pg';
import type { PoolClient } from '../../infra/postgres/pool.ts';

/** The part of pg's connection a COPY FROM STDIN needs. */
interface CopyConnection {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/** Largest CopyData message sent at once: keeps each write (and its buffer copy) small. */
const chunkBytes = 256 * 1024;

/** A statement's result as pg reports it. */
export interface StatementResult {
  rows: Record<string, unknown>[];
  rowCount: number | null;
}

/**
 * A query whose COPY FROM STDIN is fed from text already in memory. The data follows the query
 * at once instead of after the server's CopyInResponse, saving a round trip: the server reads
 * it when the COPY starts, and if a statement before the COPY fails, it discards the copy
 * messages, as the protocol provides. pg's own Query refuses a COPY, so its hooks are replaced.
 */
class CopyFromText extends pg.Query {
  constructor(text: string, payload: string) {
    super(text);
    const submitQuery = this.submit.bind(this);
    this.submit = (connection) => {
      const refused: unknown = submitQuery(connection);
      if (refused instanceof Error) return refused as never;
      const copy = connection as unknown as CopyConnection;
      const bytes = Buffer.from(payload, 'utf8');
      for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
        copy.sendCopyFromChunk(bytes.subarray(offset, offset + chunkBytes));
      }
      copy.endCopyFrom();
    };
  }

  handleCopyInResponse(): void {
    // The data is on its way already (see the constructor).
  }
}

/**
 * Runs `sql` (several statements, one of them `COPY … FROM STDIN` in text format) with
 * `payload` as the COPY's data, in one round trip; resolves with each statement's result.
 * Rejects with the server's error.
 */
export async function copyFromText(
  tx: PoolClient,
  sql: string,
  payload: string,
): Promise<StatementResult[]> {
  return new Promise<StatementResult[]>((resolveCopy, rejectCopy) => {
    const query = new CopyFromText(sql, payload);
    query.once('end', (results: StatementResult | StatementResult[]) => {
      resolveCopy(Array.isArray(results) ? results : [results]);
    });
    query.once('error', rejectCopy);
    tx.query(query);
  });
}

const specialCharacters = /[\\\t\n\r]/;
const escapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * A field of COPY's text format: `\N` for null, backslash, tab and newlines escaped. Most values
 * (ids, amounts, instants) have none of those, so the replace runs only when one is present.
 */
export function copyField(text: string | null): string {
  if (text === null) return '\\N';
  if (!specialCharacters.test(text)) return text;
  return text.replace(/[\\\t\n\r]/g, (character) => escapes[character] ?? character);
}
