/**
 * An intake thread (see `IntakeThreads`): verifies, parses and stores the callbacks the HTTP edge
 * hands it, through an event-store connection of its own, and answers each one by its id.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LevelWithSilent } from 'pino';
import { EventStore } from '../../infra/eventstore/event-store.ts';
import { createLogger } from '../../infra/logging/logger.ts';
import { WebhookIntake, notStored } from './intake.ts';
import type { IntakeThreadData, ToIntakeThread, FromIntakeThread } from './intake-threads.ts';
import { TurnBatcher } from './turn-batcher.ts';

const data = workerData as IntakeThreadData;
const port = parentPort!;
const eventStore = EventStore.connect(data.eventStoreConnectionString);
const intake = new WebhookIntake({
  eventStore,
  secrets: new Map(data.secrets),
  logger: createLogger(data.logLevel as LevelWithSilent).child({ component: 'webhook-intake' }),
  ...(data.toleranceSeconds === undefined ? {} : { toleranceSeconds: data.toleranceSeconds }),
});

const answers = new TurnBatcher<FromIntakeThread>((items) => port.postMessage(items));

port.on('message', (message: ToIntakeThread) => {
  if (message.kind === 'close') {
    void eventStore.close().finally(() => port.close());
    return;
  }
  for (const { id, request } of message.items) {
    intake
      .receive({ ...request, rawBody: Buffer.from(request.rawBody) })
      .then(
        (response): FromIntakeThread => ({ id, response }),
        (error: unknown): FromIntakeThread => ({
          id,
          response: notStored(500),
          error: error instanceof Error ? error.message : String(error),
        }),
      )
      .then((answer) => answers.add(answer));
  }
});
