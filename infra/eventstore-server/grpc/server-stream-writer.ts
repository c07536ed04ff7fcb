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
 * The reason every call's signal carries. `abort()` without one builds a DOMException with its
 * stack for each call: a sizeable share of a short read's cost. Nothing reads the reason.
 */
export const callEnded = Object.freeze({ name: 'CallEnded' });

/**
 * An AbortSignal that fires when the client cancels or the connection goes away; abort the
 * controller with `callEnded` when the call is over.
 */
export function cancellationSignal(call: {
  on(event: 'cancelled', listener: () => void): unknown;
  cancelled: boolean;
}): AbortController {
  const controller = new AbortController();
  if (call.cancelled) controller.abort(callEnded);
  call.on('cancelled', () => controller.abort(callEnded));
  return controller;
}
