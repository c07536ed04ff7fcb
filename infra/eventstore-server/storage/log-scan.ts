import type { FileHandle } from 'node:fs/promises';
import { checkRecord, endsTransactionAt, recordHeaderBytes } from './record-codec.ts';

/**
 * Recovery hands each record over as raw bytes: decoding every field into objects dominated
 * restart time, and the index needs only a few header fields. `buffer` is only valid during the
 * call.
 */
export type RecoveredRecordHandler = (
  buffer: Buffer,
  offset: number,
  position: bigint,
  totalBytes: number,
) => void;

const scanChunkBytes = 8 * 1024 * 1024;
const maximumRecordBodyBytes = 64 * 1024 * 1024;

/**
 * Reads the log sequentially in large chunks. Each chunk is first validated up to the end of its
 * last complete transaction, then that prefix is indexed, so recovery never keeps half of an
 * append; the unfinished rest is carried into the next chunk. Returns the offset just after the
 * last complete transaction.
 */
export async function scanLog(
  handle: FileHandle,
  startOffset: number,
  fileBytes: number,
  onRecord: RecoveredRecordHandler,
): Promise<number> {
  let carried = Buffer.alloc(0);
  let bufferStart = startOffset;
  let readOffset = startOffset;
  // Bounded by the file size: each iteration reads at least one byte or stops.
  while (readOffset < fileBytes) {
    const chunkBytes = Math.min(scanChunkBytes, fileBytes - readOffset);
    const chunk = Buffer.allocUnsafe(chunkBytes);
    const { bytesRead } = await handle.read(chunk, 0, chunkBytes, readOffset);
    if (bytesRead === 0) break;
    readOffset += bytesRead;
    const buffer =
      carried.length > 0
        ? Buffer.concat([carried, chunk.subarray(0, bytesRead)])
        : chunk.subarray(0, bytesRead);
    const { committed, corrupt } = committedPrefix(buffer);
    indexPrefix(buffer, committed, bufferStart, onRecord);
    bufferStart += committed;
    if (corrupt) return bufferStart;
    // Only the unfinished transaction is carried (and copied by the next concat).
    carried = buffer.subarray(committed);
  }
  return bufferStart;
}

/** Length of the prefix made of whole, valid, complete transactions. */
function committedPrefix(buffer: Buffer): { committed: number; corrupt: boolean } {
  let cursor = 0;
  let committed = 0;
  // Bounded by the buffer length: each iteration advances by a whole record.
  while (cursor < buffer.length) {
    const totalBytes = checkRecord(buffer, cursor, maximumRecordBodyBytes);
    if (totalBytes < 0) return { committed, corrupt: true };
    if (totalBytes === 0) break;
    if (endsTransactionAt(buffer, cursor)) committed = cursor + totalBytes;
    cursor += totalBytes;
  }
  return { committed, corrupt: false };
}

function indexPrefix(
  buffer: Buffer,
  committed: number,
  bufferStart: number,
  onRecord: RecoveredRecordHandler,
): void {
  let cursor = 0;
  // Bounded by `committed`: every record in the prefix was validated above.
  while (cursor < committed) {
    const totalBytes = buffer.readUInt32LE(cursor) + recordHeaderBytes;
    onRecord(buffer, cursor, BigInt(bufferStart + cursor), totalBytes);
    cursor += totalBytes;
  }
}
