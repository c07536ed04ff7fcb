import type { IncomingMessage } from 'node:http';

export type RawBody =
  | { ok: true; body: Buffer }
  | { ok: false; status: 400 | 413 | 415; error: string; message: string };

/**
 * Reads a request body as the exact bytes sent, at most `bytesMax` of them. The signature covers
 * those bytes, so nothing may decode or re-encode them; a compressed body is refused rather than
 * inflated (providers send plain JSON). Smaller than a body-parser middleware on the hot path of
 * every callback, and it stops reading at the limit when no Content-Length announced the size.
 */
export function readRawBody(request: IncomingMessage, bytesMax: number): Promise<RawBody> {
  const encoding = request.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
    request.resume();
    return Promise.resolve({
      ok: false,
      status: 415,
      error: 'UNSUPPORTED_ENCODING',
      message: 'send the body uncompressed',
    });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const finish = (result: RawBody) => {
      if (settled) return;
      settled = true;
      request.off('data', onData);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > bytesMax) {
        finish({
          ok: false,
          status: 413,
          error: 'PAYLOAD_TOO_LARGE',
          message: 'body exceeds the limit',
        });
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () =>
      finish({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes) }),
    );
    request.once('error', () =>
      finish({
        ok: false,
        status: 400,
        error: 'BAD_REQUEST',
        message: 'the body could not be read',
      }),
    );
    request.once('aborted', () =>
      finish({
        ok: false,
        status: 400,
        error: 'BAD_REQUEST',
        message: 'the body could not be read',
      }),
    );
  });
}
