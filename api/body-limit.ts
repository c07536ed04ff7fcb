import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Refuses a body larger than `bytesMax` with 413 by its declared Content-Length, before a byte of
 * it is read. A body without a length (chunked) is refused with 411: the API's clients send JSON
 * of known size, and a declared length is what lets the server read no further than the limit.
 */
export function bodyLimit(bytesMax: number): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    const declared = request.headers['content-length'];
    if (declared === undefined) {
      if (request.headers['transfer-encoding'] !== undefined) {
        refuse(request, response, 411, 'LENGTH_REQUIRED', 'send the body with a Content-Length');
        return;
      }
      next();
      return;
    }
    const length = Number(declared);
    if (!Number.isSafeInteger(length) || length < 0 || length > bytesMax) {
      refuse(request, response, 413, 'PAYLOAD_TOO_LARGE', `request body exceeds ${bytesMax} bytes`);
      return;
    }
    next();
  };
}

function refuse(
  request: Request,
  response: Response,
  status: number,
  error: string,
  message: string,
): void {
  response.setHeader('connection', 'close');
  response.status(status).json({ error, message });
  // Read no further: close the connection once the answer is out.
  response.on('finish', () => request.socket.destroy());
}
