// The validation pass's CSV parsing on a thread of its own, so that parsing a large report and
// checking its rows run side by side. Plain JavaScript: a worker cannot load the TypeScript
// loader before its entry module. Protocol (see csv-records.ts): it posts { records } per chunk,
// then { sha256 } or { error }; it stops reading while `ahead` chunks wait unread, until the
// reader posts { read: 1 } for each one it has taken.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { CsvError } from 'csv-parse';
import { NumberedParser } from './numbered-csv-parser.mjs';

const { path, aheadMax } = workerData;
const hash = createHash('sha256');
const input = createReadStream(path, { highWaterMark: 256 * 1024 });
const parser = input.pipe(new NumberedParser(hash));
let ahead = 0;

parentPort.on('message', (message) => {
  ahead -= message.read;
  if (ahead < aheadMax && parser.isPaused()) parser.resume();
});

parser.on('data', (records) => {
  parentPort.postMessage({ records });
  ahead += 1;
  if (ahead >= aheadMax) parser.pause();
});
parser.on('end', () => parentPort.postMessage({ sha256: hash.digest('hex') }));
parser.on('error', (error) => {
  const lines = error instanceof CsvError ? (error.lines ?? 0) : null;
  parentPort.postMessage({ error: { message: error.message, lines } });
  input.destroy();
});
input.on('error', (error) =>
  parentPort.postMessage({ error: { message: error.message, lines: null } }),
);
