import type { IncomingHttpHeaders } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export interface LengthRefusal {
  status: 411 | 413;
  body: { error: 'LENGTH_REQUIRED' | 'PAYLOAD_TOO_LARGE'; message: string };
}

/**
 * Why a request's declared size is refused, before a byte of its body is read: over `bytesMax`
 * by its Content-Length (413), or chunked without one (411). Undefined when it may be read.
 */
export function declaredLengthRefusal(
  headers: IncomingHttpHeaders,
  bytesMax: number,
): LengthRefusal | undefined {
  const declared = headers['content-length'];
  if (declared === undefined) {
    if (headers['transfer-encoding'] === undefined) return undefined;
    return {
      status: 411,
      body: { error: 'LENGTH_REQUIRED', message: 'send the body with a Content-Length' },
    };
  }
  const length = Number(declared);
  if (Number.isSafeInteger(length) && length >= 0 && length <= bytesMax) return undefined;
  return {
    status: 413,
    body: { error: 'PAYLOAD_TOO_LARGE', message: `request body exceeds ${bytesMax} bytes` },
  };
}

/**
 * Refuses a body larger than `bytesMax` with 413 by its declared Content-Length, before a byte of
 * it is read. A body without a length (chunked) is refused with 411: the API's clients send JSON
 * of known size, and a declared length is what lets the server read no further than the limit.
 */
export function bodyLimit(bytesMax: number): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    const refusal = declaredLengthRefusal(request.headers, bytesMax);
    if (refusal === undefined) {
      next();
      return;
    }
    response.setHeader('connection', 'close');
    response.status(refusal.status).json(refusal.body);
    // Read no further: close the connection once the answer is out.
    response.on('finish', () => request.socket.destroy());
  };
}
