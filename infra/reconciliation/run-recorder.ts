import type { RecordedLine } from '../../domain/reconciliation/index.ts';
import type { CommandContext } from '../write/event-metadata.ts';
import { chunksOf, type RecordChunk } from './recorded-lines.ts';
import type { RunWriter } from './run-writer.ts';

export interface RunRecorderOptions {
  writer: RunWriter;
  context: CommandContext;
  clock: () => Date;
  /** Size bound of one recorded event's lines. */
  eventBytesMax: number;
  /** Size bound of one append (the store refuses more than 1 MiB of data per append). */
  appendBytesMax: number;
  /** Events (up to `eventBytesMax` each) waiting for the store before `add` waits too. */
  queuedEventsMax: number;
  /** After each append, with the report lines it recorded. */
  onRecorded?: (reportLines: number) => void;
}

/**
 * Appends the run's decisions to its stream in order, while the next batches are decided.
 * When the store is behind, the batches waiting are written together, several events in one
 * append, so that a slow flush costs one round trip for all of them, not one each. Nothing is
 * reordered or dropped; the first failed append fails every later call.
 */
export class RunRecorder {
  private readonly queue: RecordChunk[] = [];
  private inFlight: Promise<void> | undefined;
  private failure: unknown;

  constructor(private readonly options: RunRecorderOptions) {}

  /** Queues one decided batch; waits only while too many are queued. */
  async add(lines: readonly RecordedLine[]): Promise<void> {
    this.throwIfFailed();
    for (const chunk of chunksOf(lines, this.options.eventBytesMax)) this.queue.push(chunk);
    this.start();
    while (this.queue.length > this.options.queuedEventsMax && this.inFlight !== undefined) {
      await this.inFlight.catch(() => undefined);
      this.throwIfFailed();
    }
  }

  /** Waits until everything queued is appended. */
  async flush(): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight.catch(() => undefined);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private start(): void {
    if (this.inFlight !== undefined || this.queue.length === 0) return;
    this.inFlight = this.appendNext().then(
      () => {
        this.inFlight = undefined;
        this.start();
      },
      (error: unknown) => {
        this.failure = error;
        this.inFlight = undefined;
      },
    );
  }

  /** The chunks at the head of the queue that fit one append (at least one). */
  private takeGroup(): RecordChunk[] {
    const group: RecordChunk[] = [];
    let bytes = 0;
    for (let next = this.queue[0]; next !== undefined; next = this.queue[0]) {
      if (group.length > 0 && bytes + next.bytes > this.options.appendBytesMax) break;
      group.push(next);
      bytes += next.bytes;
      this.queue.shift();
    }
    return group;
  }

  private async appendNext(): Promise<void> {
    const group = this.takeGroup();
    const { writer, context, clock } = this.options;
    const firstIndex = writer.state?.batchCount ?? 0;
    const at = clock().toISOString();
    const commands = group.map((chunk, offset) => ({
      type: 'RecordReconciliationBatch' as const,
      data: { runId: writer.runId, batchIndex: firstIndex + offset, lines: chunk.lines, at },
    }));
    await writer.executeAll(commands, context);
    const reportLines = group.reduce(
      (sum, chunk) => sum + chunk.lines.filter((line) => line.lineNumber !== null).length,
      0,
    );
    this.options.onRecorded?.(reportLines);
  }
}
