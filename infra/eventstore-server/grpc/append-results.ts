import type { ExpectedRevision } from '../store/expected-revision.ts';
import { shared, streams, type AppendResponse } from './protocol.ts';

type WrongExpectedVersion = InstanceType<typeof streams.AppendResp.WrongExpectedVersion>;

export function appendSuccessResponse(
  lastRevision: bigint,
  position: bigint | undefined,
): AppendResponse {
  const success = new streams.AppendResp.Success();
  if (lastRevision >= 0n) success.setCurrentRevision(lastRevision.toString());
  else success.setNoStream(new shared.Empty());
  if (position === undefined) success.setNoPosition(new shared.Empty());
  else {
    const text = position.toString();
    success.setPosition(
      new streams.AppendResp.Position().setCommitPosition(text).setPreparePosition(text),
    );
  }
  return new streams.AppendResp().setSuccess(success);
}

/** In-band WEV: both the current and the deprecated 20.6 oneofs, as the Rust client unwraps both. */
export function appendWrongExpectedVersionResponse(
  expected: ExpectedRevision,
  currentRevision: bigint,
): AppendResponse {
  const wrong = new streams.AppendResp.WrongExpectedVersion();
  if (currentRevision >= 0n) {
    wrong.setCurrentRevision(currentRevision.toString());
    wrong.setCurrentRevision2060(safeNumber(currentRevision));
  } else {
    wrong.setCurrentNoStream(new shared.Empty());
    wrong.setNoStream2060(new shared.Empty());
  }
  setExpected(wrong, expected);
  return new streams.AppendResp().setWrongExpectedVersion(wrong);
}

function setExpected(wrong: WrongExpectedVersion, expected: ExpectedRevision): void {
  switch (expected.kind) {
    case 'any':
      wrong.setExpectedAny(new shared.Empty()).setAny2060(new shared.Empty());
      return;
    case 'stream_exists':
      wrong.setExpectedStreamExists(new shared.Empty()).setStreamExists2060(new shared.Empty());
      return;
    case 'no_stream':
      // The deprecated field would hold u64 max, which a JS number cannot carry exactly.
      wrong.setExpectedNoStream(new shared.Empty());
      return;
    case 'exact':
      wrong
        .setExpectedRevision(expected.revision.toString())
        .setExpectedRevision2060(safeNumber(expected.revision));
      return;
    default: {
      const unreachable: never = expected;
      throw new Error(`unexpected expectation ${String(unreachable)}`);
    }
  }
}

function safeNumber(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}
