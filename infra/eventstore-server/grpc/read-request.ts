import { defaultCheckpointWindow, type EventFilter } from '../store/event-filter.ts';
import type { AllStart, ReadDirection, StreamStart } from '../store/read-positions.ts';
import { parseUnsigned, streamNameOf, type UuidForm } from './codec.ts';
import { invalidArgumentError } from './errors.ts';
import type { ReadRequest } from './protocol.ts';

type ReadOptions = NonNullable<ReturnType<ReadRequest['getOptions']>>;
type FilterOptions = NonNullable<ReturnType<ReadOptions['getFilter']>>;

interface Common {
  resolveLinks: boolean;
  uuidForm: UuidForm;
}

export type ReadPlan =
  | (Common & {
      kind: 'stream-read';
      streamName: string;
      start: StreamStart;
      direction: ReadDirection;
      count: bigint;
    })
  | (Common & {
      kind: 'all-read';
      start: AllStart;
      direction: ReadDirection;
      count: bigint;
      filter: EventFilter | undefined;
    })
  | (Common & { kind: 'stream-subscription'; streamName: string; start: StreamStart })
  | (Common & { kind: 'all-subscription'; start: AllStart; filter: EventFilter | undefined });

const backwardsDirection = 1;

/** Translates a `ReadReq` into what to do; throws an RpcError for requests ESDB rejects. */
export function readPlanOf(request: ReadRequest): ReadPlan {
  const options = request.getOptions();
  if (!options) throw invalidArgumentError('Read request without options.');
  const common: Common = {
    resolveLinks: options.getResolveLinks(),
    // ESDB answers structured UUIDs unless the client asks for strings.
    uuidForm: options.getUuidOption()?.hasString() ? 'string' : 'structured',
  };
  const direction: ReadDirection =
    options.getReadDirection() === backwardsDirection ? 'backwards' : 'forwards';
  const isSubscription = options.hasSubscription();
  const stream = options.getStream();
  if (stream) {
    const streamName = streamNameOf(stream.getStreamIdentifier());
    const start: StreamStart = stream.hasStart()
      ? { kind: 'start' }
      : stream.hasEnd()
        ? { kind: 'end' }
        : { kind: 'revision', revision: parseUnsigned(stream.getRevision()) };
    if (isSubscription) return { ...common, kind: 'stream-subscription', streamName, start };
    return {
      ...common,
      kind: 'stream-read',
      streamName,
      start,
      direction,
      count: parseUnsigned(options.getCount()),
    };
  }
  const all = options.getAll();
  if (!all) throw invalidArgumentError('Read request names neither a stream nor $all.');
  const position = all.getPosition();
  const start: AllStart = all.hasStart()
    ? { kind: 'start' }
    : all.hasEnd() || !position
      ? { kind: 'end' }
      : { kind: 'position', position: parseUnsigned(position.getCommitPosition()) };
  const filter = options.hasFilter() ? filterOf(options.getFilter() as FilterOptions) : undefined;
  if (isSubscription) return { ...common, kind: 'all-subscription', start, filter };
  return {
    ...common,
    kind: 'all-read',
    start,
    direction,
    count: parseUnsigned(options.getCount()),
    filter,
  };
}

function filterOf(options: FilterOptions): EventFilter {
  const onStream = options.hasStreamIdentifier();
  const expression = onStream ? options.getStreamIdentifier() : options.getEventType();
  const regexText = expression?.getRegex() ?? '';
  let regex: RegExp | undefined;
  try {
    regex = regexText.length > 0 ? new RegExp(regexText) : undefined;
  } catch {
    throw invalidArgumentError(`Invalid filter regular expression: ${regexText}`);
  }
  const window =
    options.hasMax() && options.getMax() > 0 ? options.getMax() : defaultCheckpointWindow;
  const multiplier = Math.max(1, options.getCheckpointintervalmultiplier());
  return {
    on: onStream ? 'stream-name' : 'event-type',
    regex,
    prefixes: expression?.getPrefixList() ?? [],
    checkpointInterval: window * multiplier,
  };
}
