/**
 * The ceiling of a catch-up subscription for the official client on this machine: a gRPC server
 * that stores nothing and reads nothing, and answers any `Streams.Read` with messages encoded
 * once before the clock starts (a confirmation, `--events` events, then "caught up"), as fast as
 * the client's HTTP/2 window lets it. What the client then achieves is its own cost (HTTP/2,
 * gRPC framing, google-protobuf decoding, the conversion into events) plus the least a server
 * can add; no server speaking the protocol can deliver faster to this client.
 *
 *   node --import tsx scripts/bench/replay-read-server.ts --events 64515 --data-bytes 120
 *
 * Prints `replay listening on <connection string>` when ready; stops on SIGTERM/SIGINT.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Server, ServerCredentials, type ServerWritableStream } from '@grpc/grpc-js';
import { drained } from '../../infra/eventstore-server/grpc/server-stream-writer.ts';
import {
  caughtUpResponse,
  confirmationResponse,
} from '../../infra/eventstore-server/grpc/read-messages.ts';
import { streamsService } from '../../infra/eventstore-server/grpc/protocol.ts';
import { encodedReadRing } from './read-message-ring.ts';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '100000' }, 'data-bytes': { type: 'string', default: '120' } },
});

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const events = positive('events', values.events);
const messages = encodedReadRing(positive('data-bytes', values['data-bytes']));

async function replay(call: ServerWritableStream<unknown, unknown>): Promise<void> {
  const controller = new AbortController();
  call.on('cancelled', () => controller.abort());
  call.write(confirmationResponse(randomUUID()));
  for (let index = 0; index < events && !controller.signal.aborted; index += 1) {
    if (!call.write(messages[index % messages.length])) await drained(call, controller.signal);
  }
  if (controller.signal.aborted) return;
  call.write(caughtUpResponse());
  // A subscription stays open, live, until the client cancels it.
}

const server = new Server();
server.addService(streamsService, {
  read: (call: ServerWritableStream<unknown, unknown>) => void replay(call),
});
server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  process.stdout.write(`replay listening on esdb://127.0.0.1:${port}?tls=false\n`);
});
const stop = () => server.tryShutdown(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
