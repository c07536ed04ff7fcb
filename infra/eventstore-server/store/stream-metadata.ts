/** `$tb` written by a soft delete: i64 max (EventNumber.DeletedStream). */
export const deletedStreamRevision = 9223372036854775807n;
/** Metastreams keep only their latest event visible (an implicit `$maxCount` of 1). */
export const metastreamMaxCount = 1n;

/** The parts of a stream's `$$` metadata that change what reads return. */
export interface StreamMetadata {
  maxCount: bigint | undefined;
  maxAgeSeconds: bigint | undefined;
  truncateBefore: bigint | undefined;
  /** Every key except `$tb`, so that re-creating a stream can keep them. */
  otherKeys: Record<string, unknown>;
}

export const emptyMetadata: StreamMetadata = {
  maxCount: undefined,
  maxAgeSeconds: undefined,
  truncateBefore: undefined,
  otherKeys: {},
};

export function isMetastreamName(streamName: string): boolean {
  return streamName.startsWith('$$');
}

export function metastreamOf(streamName: string): string {
  return `$$${streamName}`;
}

export function streamOfMetastream(metastreamName: string): string {
  return metastreamName.slice(2);
}

export function parseStreamMetadata(data: Uint8Array, isJson: boolean): StreamMetadata {
  if (!isJson) return emptyMetadata;
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return emptyMetadata;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return emptyMetadata;
  const object = parsed as Record<string, unknown>;
  const { $tb: _truncateBefore, ...otherKeys } = object;
  return {
    maxCount: exactInteger(text, object, '$maxCount'),
    maxAgeSeconds: exactInteger(text, object, '$maxAge'),
    truncateBefore: exactInteger(text, object, '$tb'),
    otherKeys,
  };
}

/**
 * JSON.parse turns 9223372036854775807 into 9223372036854775808, so integers are taken from the
 * source text when the parsed value confirms a number is there.
 */
function exactInteger(
  text: string,
  object: Record<string, unknown>,
  key: string,
): bigint | undefined {
  const value = object[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  const pattern = new RegExp(`"\\${key}"\\s*:\\s*(\\d+)(?![.eE\\d])`);
  const match = pattern.exec(text);
  if (match?.[1] !== undefined) return BigInt(match[1]);
  return Number.isSafeInteger(value) ? BigInt(value) : undefined;
}

export function isSoftDeleted(metadata: StreamMetadata | undefined): boolean {
  return metadata?.truncateBefore === deletedStreamRevision;
}

/** JSON text for a `$metadata` event; `$tb` is spliced in as text to keep all 64 bits. */
export function metadataJson(otherKeys: Record<string, unknown>, truncateBefore: bigint): string {
  const rest = JSON.stringify(otherKeys);
  const tbField = `"$tb":${truncateBefore.toString()}`;
  return rest === '{}' ? `{${tbField}}` : `{${rest.slice(1, -1)},${tbField}}`;
}

/** Lowest revision a stream read may return, from `$maxCount` and `$tb`. */
export function firstVisibleRevision(
  lastRevision: bigint,
  metadata: StreamMetadata | undefined,
  isMetastream: boolean,
): bigint {
  let first = 0n;
  const maxCount = isMetastream ? metastreamMaxCount : metadata?.maxCount;
  if (maxCount !== undefined) first = lastRevision - maxCount + 1n;
  if (!isMetastream && metadata?.truncateBefore !== undefined && metadata.truncateBefore > first) {
    first = metadata.truncateBefore;
  }
  return first < 0n ? 0n : first;
}

/** Events created before this instant are hidden by `$maxAge`, or undefined if no limit. */
export function oldestVisibleCreatedMs(
  metadata: StreamMetadata | undefined,
  nowMs: number,
): number | undefined {
  if (metadata?.maxAgeSeconds === undefined) return undefined;
  const maxAgeMs = metadata.maxAgeSeconds * 1000n;
  return maxAgeMs > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : nowMs - Number(maxAgeMs);
}
