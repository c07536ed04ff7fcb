import { createHash, randomUUID } from 'node:crypto';
import { signatureHeader } from '../../../api/webhooks/signature.ts';
import type { EventStore, StoredEvent } from '../../../infra/eventstore/event-store.ts';

/** Keys of the reliability tests: fresh secrets per run; one stored as a SHA-256 digest only. */
export function makeKeys() {
  const secret = (name: string) => `${name}-${randomUUID()}-${randomUUID()}`;
  const hashedSecret = secret('acme-hashed');
  const keys = {
    acmeAll: {
      id: 'acme-all',
      key: secret('acme-all'),
      tenant: 'acme',
      roles: ['read', 'write', 'audit', 'operate'],
    },
    acmeRead: { id: 'acme-read', key: secret('acme-read'), tenant: 'acme', roles: ['read'] },
    acmeWrite: { id: 'acme-write', key: secret('acme-write'), tenant: 'acme', roles: ['write'] },
    acmeAudit: { id: 'acme-audit', key: secret('acme-audit'), tenant: 'acme', roles: ['audit'] },
    acmeOperate: {
      id: 'acme-operate',
      key: secret('acme-operate'),
      tenant: 'acme',
      roles: ['operate'],
    },
    globexAll: {
      id: 'globex-all',
      key: secret('globex-all'),
      tenant: 'globex',
      roles: ['read', 'write', 'audit', 'operate'],
    },
    platform: {
      id: 'platform',
      key: secret('platform'),
      tenant: '*',
      roles: ['read', 'write', 'audit', 'operate'],
    },
    acmeHashed: { id: 'acme-hashed', key: hashedSecret, tenant: 'acme', roles: ['read', 'write'] },
  };
  /** What API_KEYS holds: the hashed key's secret is not in it, only its digest. */
  const configuration = Object.values(keys).map((entry) =>
    entry.id === 'acme-hashed'
      ? {
          id: entry.id,
          keySha256: createHash('sha256').update(entry.key).digest('hex'),
          tenant: entry.tenant,
          roles: entry.roles,
        }
      : entry,
  );
  return { keys, configuration };
}

export type Keys = ReturnType<typeof makeKeys>['keys'];

export interface GraphqlError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export interface GraphqlAnswer {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: GraphqlError[] } | undefined;
  headers: Headers;
  text: string;
  elapsedMs: number;
}

/** POST /graphql as any client sends it; a bounded wait, so that a hang fails the test. */
export async function graphql(
  url: string,
  key: string | null,
  query: string,
  variables: Record<string, unknown> = {},
  options: { timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<GraphqlAnswer> {
  const started = Date.now();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  const text = await response.text();
  let body: GraphqlAnswer['body'];
  try {
    body = JSON.parse(text) as GraphqlAnswer['body'];
  } catch {
    body = undefined;
  }
  return {
    status: response.status,
    body,
    headers: response.headers,
    text,
    elapsedMs: Date.now() - started,
  };
}

const paymentSelection = /* GraphQL */ `
  id status merchantId reference revision
  amount { amount currency } authorizedAmount { amount } capturedAmount { amount }
  refundedAmount { amount } refundableAmount { amount }
  refunds { id status amount { amount currency } }
`;
const errorSelection = 'errors { code message field }';

export const mutations = {
  createPayment: `mutation($input: CreatePaymentInput!) { createPayment(input: $input) {
    payment { ${paymentSelection} } consistencyToken ${errorSelection} } }`,
  authorizePayment: `mutation($input: AuthorizePaymentInput!) { authorizePayment(input: $input) {
    payment { ${paymentSelection} } consistencyToken ${errorSelection} } }`,
  capturePayment: `mutation($input: CapturePaymentInput!) { capturePayment(input: $input) {
    payment { ${paymentSelection} } consistencyToken ${errorSelection} } }`,
  voidPayment: `mutation($input: VoidPaymentInput!) { voidPayment(input: $input) {
    payment { ${paymentSelection} } consistencyToken ${errorSelection} } }`,
  refundPayment: `mutation($input: RefundPaymentInput!) { refundPayment(input: $input) {
    refund { id status paymentId amount { amount currency } reason }
    payment { ${paymentSelection} } consistencyToken ${errorSelection} } }`,
} as const;

export type MutationName = keyof typeof mutations;

export interface MutationPayload {
  payment?: { id: string; status: string } | null;
  refund?: { id: string; status: string } | null;
  consistencyToken: string | null;
  errors: { code: string; message: string; field: string[] | null }[];
}

/** The mutation's payload when the server answered with data, else undefined. */
export function payloadOf(answer: GraphqlAnswer, name: MutationName): MutationPayload | undefined {
  const payload = answer.body?.data?.[name];
  return payload && typeof payload === 'object' ? (payload as MutationPayload) : undefined;
}

export async function mutate(
  url: string,
  key: string,
  name: MutationName,
  input: Record<string, unknown>,
  timeoutMs = 30_000,
): Promise<GraphqlAnswer> {
  return graphql(url, key, mutations[name], { input }, { timeoutMs });
}

/** A signed callback in the ledger's own format (provider `sim`). */
export async function postSimCallback(
  url: string,
  secret: string,
  callback: unknown,
  options: { body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; text: string; headers: Headers }> {
  const body = options.body ?? JSON.stringify(callback);
  const header = signatureHeader(secret, Math.floor(Date.now() / 1000), body);
  const response = await fetch(`${url}/webhooks/sim`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'ledger-signature': header, ...options.headers },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** Every non-system event of `$all`, in order (bounded by `eventsMax`). */
export async function readAllEvents(
  store: EventStore,
  eventsMax = 2_000_000,
): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let from: bigint | undefined;
  const pageSize = 2_000;
  while (events.length < eventsMax) {
    const page = await store.readAllPage(from, pageSize + 1);
    const fresh = from === undefined ? page : page.filter((event) => event.position > from!);
    if (fresh.length === 0) break;
    events.push(...fresh);
    from = fresh.at(-1)!.position;
  }
  return events;
}
