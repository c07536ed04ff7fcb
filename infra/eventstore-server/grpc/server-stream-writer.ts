import type { ServerWritableStream } from '@grpc/grpc-js';

/**
 * Writes to a server stream, waiting for 'drain' when the client is slower than we are, so a
 * slow subscriber holds at most one HTTP/2 window plus grpc-js's small buffer of our messages.
 */
export async function writeWithBackpressure<Request, Response>(
  call: ServerWritableStream<Request, Response>,
  message: Response,
  signal: AbortSignal,
): Promise<void> {
  if (signal.aborted) return;
  if (call.write(message)) return;
  await drained(call, signal);
}

/** Resolves once the call's buffer has drained (or the call is cancelled). */
export function drained(
  call: {
    on(event: 'drain', listener: () => void): unknown;
    off(event: 'drain', listener: () => void): unknown;
  },
  signal: AbortSignal,
): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      call.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.on('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * The one reason every call's signal is aborted with. `abort()` without one builds a
 * DOMException with its stack for each call: a sizeable share of a short read's cost. Nothing
 * reads the reason.
 */
const callEnded = Object.freeze({ name: 'CallEnded' });

export interface CallCancellation {
  /** Fires when the client cancels, the connection goes away, or `end()` is called. */
  readonly signal: AbortSignal;
  /** The call is over: stop whatever still listens to `signal`. */
  end(): void;
}

export function cancellationSignal(call: {
  on(event: 'cancelled', listener: () => void): unknown;
  cancelled: boolean;
}): CallCancellation {
  const controller = new AbortController();
  const end = () => controller.abort(callEnded);
  if (call.cancelled) end();
  call.on('cancelled', end);
  return { signal: controller.signal, end };
}
