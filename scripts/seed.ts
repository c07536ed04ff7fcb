/**
 * `npm run seed [-- --url http://127.0.0.1:4000] [--api-key KEY] [--payments 25]`: demo data for a
 * newcomer, sent through the GraphQL API of a running service (`npm start`), so that GraphiQL shows
 * payments, captures, refunds and their history within a minute. Without --api-key it uses the
 * development key `npm start` created under DATA_DIR.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { developmentKeyFileName, readDevelopmentKey } from '../api/auth/development-key.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    'api-key': { type: 'string' },
    payments: { type: 'string', default: '25' },
    merchant: { type: 'string', default: 'demo-merchant' },
  },
});

const url = values.url ?? `http://127.0.0.1:${process.env.PORT ?? '4000'}`;
const paymentCount = Math.min(Math.max(Number(values.payments) || 25, 1), 1_000);

async function apiKey(): Promise<string> {
  if (values['api-key']) return values['api-key'];
  const dataDirectory = process.env.DATA_DIR ?? './.data';
  const key = await readDevelopmentKey(dataDirectory).catch(() => undefined);
  if (key !== undefined) return key;
  throw new Error(
    `no --api-key given and no development key at ${join(dataDirectory, developmentKeyFileName)}; ` +
      'start the service first',
  );
}

async function graphql(key: string, query: string, variables: Record<string, unknown>) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  type Answer = { payment?: { id: string }; errors?: unknown[]; tenant?: string };
  const body = (await response.json()) as { data?: Record<string, Answer>; errors?: unknown[] };
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors).slice(0, 400));
  return body.data ?? {};
}

const mutation = (name: string, payload: string) =>
  `mutation($input: ${name[0]!.toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $input) { ${payload} errors { code message } } }`;

const currencies = [
  { currency: 'USD', amounts: ['1999', '4500', '12000', '250'] },
  { currency: 'EUR', amounts: ['3900', '899', '15000'] },
  { currency: 'JPY', amounts: ['5000', '1200'] },
  { currency: 'KWD', amounts: ['12500', '3750'] },
];

async function seedPayment(key: string, index: number, merchantId: string | undefined) {
  const money = currencies[index % currencies.length]!;
  const amount = money.amounts[index % money.amounts.length]!;
  const idempotencyKey = `seed-${index}`;
  const created = await graphql(key, mutation('createPayment', 'payment { id }'), {
    input: {
      amount: { amount, currency: money.currency },
      reference: `order-${1000 + index}`,
      idempotencyKey,
      ...(merchantId ? { merchantId } : {}),
    },
  });
  const paymentId = created.createPayment?.payment?.id as string | undefined;
  if (!paymentId) throw new Error(JSON.stringify(created.createPayment?.errors));
  const step = index % 5; // a mix of lifecycles: initiated, authorized, captured, refunded, voided
  if (step === 0) return;
  await graphql(key, mutation('authorizePayment', 'payment { id }'), {
    input: { paymentId, idempotencyKey: `${idempotencyKey}-authorize` },
  });
  if (step === 1) return;
  if (step === 4) {
    await graphql(key, mutation('voidPayment', 'payment { id }'), {
      input: { paymentId, idempotencyKey: `${idempotencyKey}-void`, reason: 'customer cancelled' },
    });
    return;
  }
  await graphql(key, mutation('capturePayment', 'payment { id }'), {
    input: { paymentId, idempotencyKey: `${idempotencyKey}-capture` },
  });
  if (step === 3) {
    const part = (BigInt(amount) / 3n).toString();
    await graphql(key, mutation('refundPayment', 'refund { id }'), {
      input: {
        paymentId,
        amount: { amount: part === '0' ? amount : part, currency: money.currency },
        reason: 'partial return',
        idempotencyKey: `${idempotencyKey}-refund`,
      },
    });
  }
}

const key = await apiKey();
const me = await graphql(key, '{ me { tenant } }', {});
const merchantId = me.me?.tenant === '*' ? values.merchant : undefined;
for (let index = 0; index < paymentCount; index += 1) await seedPayment(key, index, merchantId);
process.stdout.write(
  `seeded ${paymentCount} payments${merchantId ? ` for merchant ${merchantId}` : ''} at ${url}\n` +
    `open ${url}/graphql and try: { payments(first: 10) { edges { node { id status amount { formatted currency } history { type } } } } }\n`,
);
