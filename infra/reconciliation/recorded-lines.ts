import type { RecordedLine } from '../../domain/reconciliation/index.ts';
import { BATCH_LINES_MAX, isException, lineEvidence } from '../../domain/reconciliation/index.ts';
import type { MatchedLine } from './batch-matcher.ts';

/** Within a run: `L<line>` for a report line, `P<paymentId>` for a payment no line mentions. */
export function exceptionIdOf(item: MatchedLine): string {
  if (item.line !== null) return `L${item.line.lineNumber}`;
  return `P${item.decision.paymentId ?? ''}`;
}

/** The decision as the run records it: matched lines compact, exceptions with evidence. */
export function recordedLine(item: MatchedLine): RecordedLine {
  const { line, decision } = item;
  const exception = isException(decision.outcome);
  return {
    exceptionId: exception ? exceptionIdOf(item) : null,
    lineNumber: line?.lineNumber ?? null,
    lineId: line?.lineId ?? null,
    outcome: decision.outcome,
    paymentId: decision.paymentId,
    compensation: exception ? null : decision.compensation,
    evidence: exception
      ? {
          reason: decision.reason,
          line: line === null ? null : lineEvidence(line),
          ledger: decision.ledger,
          proposal: decision.proposal,
        }
      : null,
  };
}

/** JSON size of a line once recorded; exact for exceptions, a close upper bound for the rest. */
function estimatedBytes(line: RecordedLine): number {
  if (line.evidence !== null) return JSON.stringify(line).length + 1;
  const compensation = line.compensation === null ? 4 : JSON.stringify(line.compensation).length;
  return 48 + (line.lineId?.length ?? 0) + (line.paymentId?.length ?? 4) + compensation;
}

/** Lines for one batch event, with their estimated JSON size. */
export interface RecordChunk {
  lines: RecordedLine[];
  bytes: number;
}

/**
 * Splits recorded lines into event-sized chunks: at most BATCH_LINES_MAX lines and about
 * `bytesMax` of JSON each, far below the event store's 1 MiB per append even with the metadata.
 */
export function* chunksOf(
  lines: readonly RecordedLine[],
  bytesMax: number,
): Generator<RecordChunk> {
  let chunk: RecordedLine[] = [];
  let bytes = 0;
  for (const line of lines) {
    const size = estimatedBytes(line);
    if (chunk.length > 0 && (chunk.length >= BATCH_LINES_MAX || bytes + size > bytesMax)) {
      yield { lines: chunk, bytes };
      chunk = [];
      bytes = 0;
    }
    chunk.push(line);
    bytes += size;
  }
  if (chunk.length > 0) yield { lines: chunk, bytes };
}
