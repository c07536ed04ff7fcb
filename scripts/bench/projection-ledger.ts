/**
 * Writes the projection benchmark's ledger straight into an event-store log, in the embedded
 * server's own record format: `tsx scripts/bench/projection-ledger.ts DIRECTORY EVENTS`.
 *
 * The append path has its own scenario; here only the read side is measured, so the fixture is
 * laid down directly, a payment's events scattered over the whole of `$all` as the generator
 * interleaves them (the hardest case for batching: few events of one payment share a batch). It
 * runs in a process of its own so that the generated ledger never sits in the measured heap.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LogFile } from '../../infra/eventstore-server/storage/log-file.ts';
import { encodeRecord } from '../../infra/eventstore-server/storage/record-codec.ts';
import { generateLedger, interleave, seededRandom } from '../../projections/testing/ledger-events.ts';

const eventsPerPayment = 4.7;
const recordsPerWrite = 10_000;

function uuidBytes(id: string): Buffer {
  return Buffer.from(id.replaceAll('-', ''), 'hex');
}

async function writeLedger(directory: string, eventCount: number): Promise<number> {
  const events = interleave(
    generateLedger(42, Math.ceil(eventCount / eventsPerPayment)),
    seededRandom(43),
  );
  await mkdir(directory, { recursive: true });
  const { log } = await LogFile.open(join(directory, 'events.log'), () => undefined);
  for (let first = 0; first < events.length; first += recordsPerWrite) {
    const records = events.slice(first, first + recordsPerWrite).map((event) =>
      encodeRecord({
        streamName: event.stream,
        revision: event.revision,
        eventType: event.type,
        eventId: uuidBytes(event.id),
        createdMs: event.recordedAt.getTime(),
        isJson: true,
        endsTransaction: true,
        data: Buffer.from(JSON.stringify(event.data)),
        metadata: Buffer.from(JSON.stringify(event.metadata)),
      }),
    );
    await log.enqueue(records).durable;
  }
  await log.close();
  return events.length;
}

const [directory, countText] = process.argv.slice(2);
if (directory === undefined || !Number.isInteger(Number(countText))) {
  process.stderr.write('usage: projection-ledger.ts DIRECTORY EVENTS\n');
  process.exit(2);
}
const written = await writeLedger(directory, Number(countText));
process.stdout.write(`${written}\n`);
