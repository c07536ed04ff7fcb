/**
 * Provider simulator: creates payments through the GraphQL API, sends signed `sim` callbacks for
 * them (with duplicates, reordering and forged ones), then checks that the ledger shows what the
 * provider said. Exit code 0 only when every payment matches and every forgery was refused.
 *
 *   npm run simulate -- --url http://127.0.0.1:4000 --payments 1000 --duplicates 0.1 \
 *     --reorder 0.2 --bad-signatures 0.01 [--seed N] [--api-key KEY] [--secret SECRET]
 *
 * Against `npm start` on its development defaults nothing else is needed: the API key and the
 * `sim` secret are read from the files the service keeps under DATA_DIR (`--data-dir`).
 */
import { parseArgs } from 'node:util';
import { readDevelopmentKey } from '../api/auth/development-key.ts';
import { readDevelopmentSimSecret } from '../infra/webhooks/development-secret.ts';
import { signatureHeader } from '../api/webhooks/signature.ts';
import type { SimCallback } from '../infra/webhooks/sim-mapper.ts';
import {
  paymentScenario,
  seededRandom,
  shuffle,
  type ExpectedPayment,
} from '../infra/webhooks/sim-scenario.ts';

interface Options {
  url: string;
  apiKey: string;
  secret: string;
  payments: number;
  duplicates: number;
  reorder: number;
  badSignatures: number;
  seed: number;
  concurrency: number;
  timeoutSeconds: number;
}

interface Delivery {
  callback: SimCallback;
  forged: false | 'wrong-secret' | 'tampered' | 'expired';
}

interface Outcome {
  forgedRefused: number;
  forgedAccepted: number;
  genuineFailed: number;
}

const paymentsMax = 100_000;
const sendAttemptsMax = 3;

function fraction(value: string | undefined, name: string): number {
  const parsed = Number(value ?? '0');
  if (!(parsed >= 0 && parsed <= 1)) throw new Error(`--${name} must be between 0 and 1`);
  return parsed;
}

/**
 * The flag; else the environment variable; else the development file under DATA_DIR that
 * `npm start` writes when API_KEYS (for the key) or WEBHOOK_SECRET_SIM (for the secret) is unset.
 */
async function credential(
  flag: string | undefined,
  variable: string | undefined,
  fromDataDirectory: () => Promise<string | undefined>,
  missing: string,
): Promise<string> {
  const value = flag ?? variable ?? (await fromDataDirectory());
  if (value === undefined || value === '') throw new Error(missing);
  return value;
}

async function parseOptions(): Promise<Options> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:4000' },
      'api-key': { type: 'string' },
      secret: { type: 'string' },
      payments: { type: 'string', default: '100' },
      duplicates: { type: 'string', default: '0.1' },
      reorder: { type: 'string', default: '0.2' },
      'bad-signatures': { type: 'string', default: '0.01' },
      seed: { type: 'string' },
      concurrency: { type: 'string', default: '16' },
      'timeout-seconds': { type: 'string', default: '120' },
      'data-dir': { type: 'string', default: process.env.DATA_DIR ?? './.data' },
    },
  });
  const payments = Number(values.payments);
  if (!Number.isInteger(payments) || payments < 1 || payments > paymentsMax) {
    throw new Error(`--payments must be an integer from 1 to ${paymentsMax}`);
  }
  const dataDirectory = values['data-dir'];
  const apiKey = await credential(
    values['api-key'],
    process.env.LEDGER_API_KEY,
    () => readDevelopmentKey(dataDirectory),
    `no API key: pass --api-key (or LEDGER_API_KEY); on development defaults it is read from ` +
      `${dataDirectory}/development-api-key.json, which npm start creates (see --data-dir)`,
  );
  const secret = await credential(
    values.secret,
    process.env.WEBHOOK_SECRET_SIM?.split(',')[0]?.trim(),
    () => readDevelopmentSimSecret(dataDirectory),
    `no sim secret: pass --secret (or WEBHOOK_SECRET_SIM); on development defaults it is read ` +
      `from ${dataDirectory}/development-webhook-secret-sim.json, which npm start creates`,
  );
  return {
    url: new URL(values.url).origin,
    apiKey,
    secret,
    payments,
    duplicates: fraction(values.duplicates, 'duplicates'),
    reorder: fraction(values.reorder, 'reorder'),
    badSignatures: fraction(values['bad-signatures'], 'bad-signatures'),
    seed: values.seed === undefined ? Date.now() % 2_147_483_647 : Number(values.seed),
    concurrency: Math.min(Math.max(Number(values.concurrency) || 16, 1), 256),
    timeoutSeconds: Math.min(Math.max(Number(values['timeout-seconds']) || 120, 1), 3_600),
  };
}

/** Rate-limited (429) or unavailable (503) requests are tried again, this many times at most. */
const graphqlAttemptsMax = 30;

function retryDelayMs(response: Response): number {
  const seconds = Number(response.headers.get('retry-after'));
  const base = Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 30) * 1000 : 1000;
  return base * (0.5 + Math.random());
}

async function graphql(options: Options, query: string, variables: Record<string, unknown>) {
  for (let attempt = 1; ; attempt += 1) {
    const response = await fetch(`${options.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.apiKey}` },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(30_000),
    });
    // The API's rate limit (per key) is lower than what a thousand payments at once ask for:
    // wait as the answer says, then send the same (idempotent) request again.
    if ((response.status === 429 || response.status === 503) && attempt < graphqlAttemptsMax) {
      await response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(response)));
      continue;
    }
    const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
    if (body.errors?.length)
      throw new Error(`GraphQL error: ${JSON.stringify(body.errors).slice(0, 500)}`);
    if (!response.ok) throw new Error(`GraphQL answered ${response.status}`);
    return body.data ?? {};
  }
}

const createPaymentMutation = `mutation Create($input: CreatePaymentInput!) {
  createPayment(input: $input) { payment { id } errors { code } }
}`;

/** A platform-wide key must name the merchant; a tenant's key creates for its own tenant. */
let merchantForPlatformKey: Promise<string | undefined> | undefined;

async function merchantIdFor(options: Options): Promise<string | undefined> {
  merchantForPlatformKey ??= graphql(options, '{ me { tenant } }', {}).then((data) =>
    (data.me as { tenant: string } | undefined)?.tenant === '*' ? 'sim-merchant' : undefined,
  );
  return merchantForPlatformKey;
}

async function createPayment(options: Options, providerPaymentId: string, amount: bigint) {
  const merchantId = await merchantIdFor(options);
  const data = await graphql(options, createPaymentMutation, {
    input: {
      amount: { amount: amount.toString(), currency: 'USD' },
      providerPaymentId,
      idempotencyKey: `simulate-${providerPaymentId}`,
      ...(merchantId ? { merchantId } : {}),
    },
  });
  const result = data.createPayment as {
    payment: { id: string } | null;
    errors: { code: string }[];
  };
  if (!result?.payment) throw new Error(`createPayment refused: ${JSON.stringify(result?.errors)}`);
  return result.payment.id;
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function pooled<Item>(
  items: readonly Item[],
  limit: number,
  work: (item: Item) => Promise<void>,
) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function forgeryOf(random: () => number): Delivery['forged'] {
  const roll = random();
  return roll < 1 / 3 ? 'wrong-secret' : roll < 2 / 3 ? 'tampered' : 'expired';
}

/** Genuine callbacks, partly reordered, with duplicates and forged copies mixed in. */
function deliveries(callbacks: SimCallback[], options: Options, random: () => number): Delivery[] {
  const moved = callbacks.map((_, index) => index).filter(() => random() < options.reorder);
  const targets = shuffle(moved, random);
  const ordered = [...callbacks];
  moved.forEach((from, index) => (ordered[targets[index]!] = callbacks[from]!));
  const list: Delivery[] = [];
  for (const callback of ordered) {
    if (random() < options.badSignatures) list.push({ callback, forged: forgeryOf(random) });
    list.push({ callback, forged: false });
    if (random() < options.duplicates) list.push({ callback, forged: false });
  }
  return list;
}

function signedRequest(delivery: Delivery, options: Options) {
  const now = Math.floor(Date.now() / 1000);
  const body = JSON.stringify(delivery.callback);
  switch (delivery.forged) {
    case 'wrong-secret':
      return { body, header: signatureHeader(`${options.secret}-forged`, now, body) };
    case 'tampered':
      return {
        body: body.replace(/"amount":"(\d+)"/, '"amount":"9$1"'),
        header: signatureHeader(options.secret, now, body),
      };
    case 'expired':
      return { body, header: signatureHeader(options.secret, now - 3_600, body) };
    default:
      return { body, header: signatureHeader(options.secret, now, body) };
  }
}

async function send(delivery: Delivery, options: Options, outcome: Outcome): Promise<void> {
  for (let attempt = 1; attempt <= sendAttemptsMax; attempt += 1) {
    const { body, header } = signedRequest(delivery, options);
    try {
      const response = await fetch(`${options.url}/webhooks/sim`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'ledger-signature': header },
        body,
        signal: AbortSignal.timeout(30_000),
      });
      await response.arrayBuffer();
      if (delivery.forged) {
        if (response.status === 400) outcome.forgedRefused += 1;
        else outcome.forgedAccepted += 1;
        return;
      }
      if (response.status === 200 || response.status === 202) return;
      if (response.status < 500) break;
    } catch {
      // A network error: try again, like a provider would.
    }
    await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
  }
  if (!delivery.forged) outcome.genuineFailed += 1;
}

const paymentQuery = `query Payment($id: ID!) {
  payment(id: $id) { status capturedAmount { amount } refundedAmount { amount } }
}`;

async function mismatches(options: Options, expected: Map<string, ExpectedPayment>) {
  const wrong: string[] = [];
  await pooled([...expected], options.concurrency, async ([paymentId, want]) => {
    const data = await graphql(options, paymentQuery, { id: paymentId }).catch(() => ({}));
    const payment = (
      data as {
        payment?: {
          status: string;
          capturedAmount: { amount: string };
          refundedAmount: { amount: string };
        };
      }
    ).payment;
    const got = payment
      ? `${payment.status} captured=${payment.capturedAmount.amount} refunded=${payment.refundedAmount.amount}`
      : 'missing';
    const wanted = `${want.status} captured=${want.capturedAmount} refunded=${want.refundedAmount}`;
    if (got !== wanted) wrong.push(`${paymentId}: expected ${wanted}, got ${got}`);
  });
  return wrong;
}

async function converge(options: Options, expected: Map<string, ExpectedPayment>) {
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  for (let round = 1; ; round += 1) {
    const wrong = await mismatches(options, expected);
    if (wrong.length === 0 || Date.now() > deadline) return wrong;
    console.log(`round ${round}: ${wrong.length} payments not there yet`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

async function main(): Promise<number> {
  const options = await parseOptions();
  const random = seededRandom(options.seed);
  const run = `${options.seed.toString(36)}${Date.now().toString(36)}`;
  console.log(
    `simulating ${options.payments} payments against ${options.url} (seed ${options.seed})`,
  );
  const expected = new Map<string, ExpectedPayment>();
  const callbacks: SimCallback[] = [];
  const created = Math.floor(Date.now() / 1000);
  const indexes = Array.from({ length: options.payments }, (_, index) => index);
  const scenarios = indexes.map((index) => {
    const payment = {
      providerPaymentId: `sim_${run}_${index}`,
      amount: BigInt(500 + Math.floor(random() * 99_500)),
      currency: 'USD',
    };
    return { payment, scenario: paymentScenario(payment, random, created) };
  });
  await pooled(scenarios, options.concurrency, async ({ payment, scenario }) => {
    expected.set(
      await createPayment(options, payment.providerPaymentId, payment.amount),
      scenario.expected,
    );
  });
  for (const { scenario } of scenarios) callbacks.push(...scenario.callbacks);
  const list = deliveries(callbacks, options, random);
  const outcome: Outcome = { forgedRefused: 0, forgedAccepted: 0, genuineFailed: 0 };
  const started = Date.now();
  await pooled(list, options.concurrency, (delivery) => send(delivery, options, outcome));
  console.log(
    `sent ${list.length} deliveries (${callbacks.length} distinct) in ${Date.now() - started} ms`,
  );
  console.log(
    `forged: ${outcome.forgedRefused} refused, ${outcome.forgedAccepted} accepted; genuine not delivered: ${outcome.genuineFailed}`,
  );
  const wrong = await converge(options, expected);
  for (const line of wrong.slice(0, 20)) console.log(`MISMATCH ${line}`);
  const ok = wrong.length === 0 && outcome.forgedAccepted === 0 && outcome.genuineFailed === 0;
  console.log(
    ok ? `OK: all ${expected.size} payments match` : `FAILED: ${wrong.length} payments differ`,
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
