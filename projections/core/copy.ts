import pg from 'pg';
import type { PoolClient } from '../../infra/postgres/pool.ts';

/** The part of pg's connection a COPY FROM STDIN needs once the server is ready for data. */
interface CopyConnection {
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/** Largest CopyData message sent at once: keeps each write (and its buffer copy) small. */
const chunkBytes = 256 * 1024;

/**
 * A query whose COPY FROM STDIN is fed from text already in memory. pg runs the statement and
 * calls `handleCopyInResponse` when the server asks for the data (pg's own Query refuses it).
 */
class CopyFromText extends pg.Query {
  constructor(
    text: string,
    private readonly payload: string,
  ) {
    super(text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    const bytes = Buffer.from(this.payload, 'utf8');
    for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
      connection.sendCopyFromChunk(bytes.subarray(offset, offset + chunkBytes));
    }
    connection.endCopyFrom();
  }
}

/**
 * Runs `sql` (which may be several statements, one of them `COPY … FROM STDIN` in text format)
 * and streams `payload` as the COPY's data: one round trip. Rejects with the server's error.
 */
export async function copyFromText(tx: PoolClient, sql: string, payload: string): Promise<void> {
  await new Promise<void>((resolveCopy, rejectCopy) => {
    const query = new CopyFromText(sql, payload);
    query.once('end', () => resolveCopy());
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
