import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Refuses a body larger than `bytesMax` with 413 before reading it: by its Content-Length when
 * declared, else by counting the chunks as they arrive and stopping at the limit.
 */
export function bodyLimit(bytesMax: number): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    const declared = request.headers['content-length'];
    if (declared !== undefined) {
      const length = Number(declared);
      if (!Number.isFinite(length) || length > bytesMax) {
        tooLarge(request, response, bytesMax);
        return;
      }
      next();
      return;
    }
    if (request.headers['transfer-encoding'] === undefined) {
      next();
      return;
    }
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > bytesMax) {
        request.off('data', onData);
        tooLarge(request, response, bytesMax);
      }
    };
    request.on('data', onData);
    next();
  };
}

function tooLarge(request: Request, response: Response, bytesMax: number): void {
  if (response.headersSent) return;
  response.setHeader('connection', 'close');
  response.status(413).json({
    error: 'PAYLOAD_TOO_LARGE',
    message: `request body exceeds ${bytesMax} bytes`,
  });
  // Read no further: stop the socket once the answer is out.
  response.on('finish', () => request.socket.destroy());
}
