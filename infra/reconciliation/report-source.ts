import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';

/**
 * Where a report's bytes come from. A run reads them twice (validate, then apply), so a source
 * opens a fresh stream each time instead of holding the file in memory.
 */
export interface ReportSource {
  readonly fileName: string;
  /** Set for a file on disk: a large one is parsed on a worker thread, which opens it itself. */
  readonly path?: string;
  open(): Readable;
}

/** A report on disk, streamed in 256 KiB chunks. */
export function fileSource(path: string): ReportSource {
  return {
    fileName: basename(path),
    path,
    open: () => createReadStream(path, { highWaterMark: 256 * 1024 }),
  };
}

/** A report already in memory (an upload over GraphQL). */
export function bytesSource(fileName: string, bytes: Uint8Array): ReportSource {
  const chunkBytes = 256 * 1024;
  return {
    fileName,
    open: () =>
      Readable.from(
        (function* chunks() {
          for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
            yield Buffer.from(
              bytes.buffer,
              bytes.byteOffset + offset,
              Math.min(chunkBytes, bytes.length - offset),
            );
          }
        })(),
      ),
  };
}
