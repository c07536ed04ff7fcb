import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { createApp, requestListener } from '../../api/app.ts';
import { createWebhookHandler } from '../../api/webhooks/handler.ts';
import { signatureHeader } from '../../api/webhooks/signature.ts';
import { createLogger } from '../../infra/logging/logger.ts';
import type { BackgroundGate } from '../../infra/runtime/background-gate.ts';
import { PaymentService, type Caller } from '../../infra/write/payment-service.ts';
import { startWebhookProcessor, type WebhookProcessor } from '../../infra/webhooks/processor.ts';
import type { RetryPolicy } from '../../infra/webhooks/retry-policy.ts';
import { loadCallback } from '../../infra/webhooks/inbox-store.ts';
import type { CallbackState } from '../../infra/webhooks/inbox-state.ts';
import { startTestEventStore, type TestEventStore } from '../support/event-store.ts';

export const simSecret = 'sim-secret-0123456789abcdef';
export const stripeOldSecret = 'whsec_old_0123456789abcdef';
export const stripeNewSecret = 'whsec_new_0123456789abcdef';

/** Fast retries, so that out-of-order waits resolve within a test's time. */
export const testRetryPolicy: RetryPolicy = { attemptsMax: 10, baseDelayMs: 25, delayMaxMs: 400 };

export const logger = createLogger('silent');

export interface Harness {
  store: TestEventStore;
  paymentService: PaymentService;
  url: string;
  registry: Registry;
  startProcessor(retryPolicy?: RetryPolicy, gate?: BackgroundGate): WebhookProcessor;
  stop(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startHarness(): Promise<Harness> {
  const store = await startTestEventStore();
  const paymentService = new PaymentService(store.eventStore);
  const registry = new Registry();
  const secrets = new Map([
    ['sim', [simSecret]],
    ['stripe', [stripeNewSecret, stripeOldSecret]],
  ]);
  const webhooks = createWebhookHandler({
    eventStore: store.eventStore,
    secrets,
    logger,
    registry,
  });
  const app = createApp({ logger, metrics: registry, dependencies: [] });
  const server = createServer(requestListener(app, [webhooks]));
  const port = await listen(server);
  const processors: WebhookProcessor[] = [];
  return {
    store,
    paymentService,
    url: `http://127.0.0.1:${port}`,
    registry,
    startProcessor(retryPolicy = testRetryPolicy, gate) {
      const processor = startWebhookProcessor({
        ...(gate ? { gate } : {}),
        eventStore: store.eventStore,
        paymentService,
        logger,
        registry,
        retryPolicy,
        timerIntervalMs: 20,
        checkpointIntervalMs: 100,
      });
      processors.push(processor);
      return processor;
    },
    async stop() {
      for (const processor of processors) await processor.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.stop();
    },
  };
}

export const merchantCaller: Caller = {
  tenantId: 'merchant-1',
  actor: 'key-test',
  source: 'api',
  correlationId: 'test',
  causationId: 'test',
};

export async function createPayment(
  harness: Harness,
  providerPaymentId: string,
  amount: bigint,
  currency = 'USD',
): Promise<string> {
  const result = await harness.paymentService.createPayment(merchantCaller, {
    idempotencyKey: `create-${providerPaymentId}`,
    amount: { amount: amount.toString(), currency },
    providerPaymentId,
  });
  if (!result.payment) throw new Error(`payment not created: ${JSON.stringify(result.errors)}`);
  return result.payment.id;
}

export async function post(
  harness: Harness,
  provider: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${harness.url}/webhooks/${provider}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

export function postSim(harness: Harness, callback: unknown, secret = simSecret) {
  const body = JSON.stringify(callback);
  const header = signatureHeader(secret, Math.floor(Date.now() / 1000), body);
  return post(harness, 'sim', body, { 'ledger-signature': header });
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function waitFor<Value>(
  check: () => Promise<Value | undefined>,
  timeoutMs = 10_000,
  what = 'condition',
  pollIntervalMs = 20,
): Promise<Value> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
}

export function waitForStatus(
  harness: Harness,
  provider: string,
  providerEventId: string,
  statuses: readonly CallbackState['status'][],
  timeoutMs = 10_000,
): Promise<CallbackState> {
  return waitFor(
    async () => {
      const state = await loadCallback(harness.store.eventStore, provider, providerEventId);
      return state && statuses.includes(state.status) ? state : undefined;
    },
    timeoutMs,
    `${provider}/${providerEventId} to be ${statuses.join(' or ')}`,
  );
}

export async function paymentState(harness: Harness, paymentId: string) {
  const loaded = await harness.paymentService.load('*', paymentId);
  if (!loaded) throw new Error(`no payment ${paymentId}`);
  return loaded.state;
}
