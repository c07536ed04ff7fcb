/**
 * Waits for `work`, or resolves undefined as soon as `signal` aborts, whichever comes first.
 *
 * A loop must not `Promise.race` each step against one long-lived promise (a stop request):
 * every race adds a reaction to that promise which is only released when it settles, and each
 * reaction keeps its step's result alive, so memory grows with every step for as long as the
 * loop runs. Here the abort listener is removed as soon as the step settles.
 */
export function unlessAborted<Value>(
  work: Promise<Value>,
  signal: AbortSignal,
): Promise<Value | undefined> {
  if (signal.aborted) {
    work.catch(() => undefined); // nobody waits for it any more: no unhandled rejection
    return Promise.resolve(undefined);
  }
  return new Promise<Value | undefined>((resolve, reject) => {
    const onAbort = (): void => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
