import type { ExpectedRevision } from '../store/expected-revision.ts';
import { parseUnsigned } from './codec.ts';

interface ExpectedRevisionOptions {
  hasNoStream(): boolean;
  hasAny(): boolean;
  hasStreamExists(): boolean;
}

/** Append, Delete and Tombstone share the oneof; BatchAppend names the exact case differently. */
export function expectedRevisionOf(
  options: ExpectedRevisionOptions,
  exactRevision: () => string,
): ExpectedRevision {
  if (options.hasNoStream()) return { kind: 'no_stream' };
  if (options.hasAny()) return { kind: 'any' };
  if (options.hasStreamExists()) return { kind: 'stream_exists' };
  return { kind: 'exact', revision: parseUnsigned(exactRevision()) };
}
