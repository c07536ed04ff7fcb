import { randomUUID } from 'node:crypto';
import {
  EventStoreUnavailableError,
  StreamConflictError,
  type EventStore,
} from '../../infra/eventstore/event-store.ts';
import type { Logger } from '../../infra/logging/logger.ts';
import { appendReceived } from '../../infra/webhooks/inbox-store.ts';
import { isKnownProvider, type ProviderName } from '../../infra/webhooks/inbox-stream.ts';
import { PROVIDER_MAPPERS } from '../../infra/webhooks/mappers.ts';
import { verifySignature } from './signature.ts';

export interface IntakeOptions {
  eventStore: Pick<EventStore, 'append'>;
  /** `config.webhookSecrets`: provider → active secrets (several during a rotation). */
  secrets: ReadonlyMap<string, readonly string[]>;
  logger: Logger;
  /** Accepted clock skew either way between the provider's timestamp and ours. */
  toleranceSeconds?: number;
  nowMs?: () => number;
}

export interface IntakeRequest {
  provider: string;
  signature: string | undefined;
  rawBody: Buffer;
  requestId: string | undefined;
}

/** What became of a callback at the intake (the `result` label of the received counter). */
export type IntakeOutcome =
  'accepted' | 'duplicate' | 'rejected_signature' | 'rejected_payload' | 'store_failed';

export interface IntakeResponse {
  status: number;
  body: Record<string, unknown>;
  /** Set once the provider is known and the callback was judged. */
  outcome?: IntakeOutcome;
}

/**
 * A callback not stored, so not acknowledged: the provider delivers it again later. 503 when the
 * event store is unavailable, 500 for anything else.
 */
export function notStored(status: 500 | 503): IntakeResponse {
  return {
    status,
    body: {
      error: status === 503 ? 'UNAVAILABLE' : 'INTERNAL',
      message: 'not stored; retry later',
    },
    outcome: 'store_failed',
  };
}

/** What the HTTP edge hands over: `WebhookIntake` in this thread, or `IntakeThreads`. */
export interface IntakeReceiver {
  receive(request: IntakeRequest): Promise<IntakeResponse>;
}

/** The provider when it is known and has a secret configured; else the route is a 404. */
export function configuredProvider(
  secrets: ReadonlyMap<string, readonly string[]>,
  name: string,
): ProviderName | undefined {
  if (!isKnownProvider(name)) return undefined;
  const configured = secrets.get(name);
  return configured !== undefined && configured.length > 0 ? name : undefined;
}

export function signatureHeaderOf(provider: ProviderName): string {
  return PROVIDER_MAPPERS[provider].signatureHeader;
}

export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The intake without HTTP: verify, parse the envelope, store durably, answer. */
export class WebhookIntake implements IntakeReceiver {
  constructor(private readonly options: IntakeOptions) {}

  async receive(request: IntakeRequest): Promise<IntakeResponse> {
    const provider = configuredProvider(this.options.secrets, request.provider);
    if (provider === undefined) {
      return {
        status: 404,
        body: { error: 'UNKNOWN_PROVIDER', message: 'no such webhook provider' },
      };
    }
    const nowMs = (this.options.nowMs ?? Date.now)();
    const verdict = verifySignature(request.signature, request.rawBody, {
      secrets: this.options.secrets.get(provider) ?? [],
      toleranceSeconds: this.options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
      nowSeconds: Math.floor(nowMs / 1000),
    });
    if (!verdict.ok) {
      return {
        status: 400,
        body: { error: 'INVALID_SIGNATURE', reason: verdict.reason },
        outcome: 'rejected_signature',
      };
    }
    return this.store(provider, request, nowMs);
  }

  private invalid(reason: string): IntakeResponse {
    return { status: 400, body: { error: 'INVALID_PAYLOAD', reason }, outcome: 'rejected_payload' };
  }

  private async store(
    provider: ProviderName,
    request: IntakeRequest,
    nowMs: number,
  ): Promise<IntakeResponse> {
    const payload = request.rawBody.toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch {
      return this.invalid('the body is not JSON');
    }
    const envelope = PROVIDER_MAPPERS[provider].envelope(parsed);
    if (!envelope.ok) return this.invalid(envelope.reason);
    const { providerEventId, eventType, paymentId } = envelope;
    const received = {
      type: 'WebhookReceived' as const,
      data: {
        provider,
        providerEventId,
        eventType,
        payload,
        paymentId,
        receivedAt: new Date(nowMs).toISOString(),
      },
    };
    const correlationId = request.requestId ?? randomUUID();
    const context = {
      correlationId,
      causationId: correlationId,
      actor: `webhook:${provider}`,
      tenantId: '*',
    };
    try {
      await appendReceived(this.options.eventStore, received, context);
    } catch (error) {
      return this.storeFailure(provider, providerEventId, error);
    }
    return { status: 202, body: { status: 'accepted', providerEventId }, outcome: 'accepted' };
  }

  private storeFailure(
    provider: ProviderName,
    providerEventId: string,
    error: unknown,
  ): IntakeResponse {
    if (error instanceof StreamConflictError) {
      // Already in the inbox: acknowledge, so that the provider stops redelivering.
      return { status: 200, body: { status: 'duplicate', providerEventId }, outcome: 'duplicate' };
    }
    this.options.logger.error({ err: error, provider, providerEventId }, 'webhook not stored');
    return notStored(error instanceof EventStoreUnavailableError ? 503 : 500);
  }
}
