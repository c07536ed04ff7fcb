import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import {
  EventStoreUnavailableError,
  StreamConflictError,
  type EventStore,
} from '../../infra/eventstore/event-store.ts';
import type { Logger } from '../../infra/logging/logger.ts';
import { appendReceived } from '../../infra/webhooks/inbox-store.ts';
import { isKnownProvider, type ProviderName } from '../../infra/webhooks/inbox-stream.ts';
import { PROVIDER_MAPPERS } from '../../infra/webhooks/mappers.ts';
import { webhookMetrics, type WebhookMetrics } from '../../infra/webhooks/metrics.ts';
import { verifySignature } from './signature.ts';

export interface IntakeOptions {
  eventStore: Pick<EventStore, 'append'>;
  /** `config.webhookSecrets`: provider → active secrets (several during a rotation). */
  secrets: ReadonlyMap<string, readonly string[]>;
  logger: Logger;
  registry?: Registry;
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

export interface IntakeResponse {
  status: number;
  body: Record<string, unknown>;
}

export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The intake without HTTP: verify, parse the envelope, store durably, answer. */
export class WebhookIntake {
  private readonly metrics: WebhookMetrics;

  constructor(private readonly options: IntakeOptions) {
    this.metrics = webhookMetrics(options.registry);
  }

  /** The provider when it is known and has a secret configured; else the route is a 404. */
  provider(name: string): ProviderName | undefined {
    if (!isKnownProvider(name)) return undefined;
    const secrets = this.options.secrets.get(name);
    return secrets !== undefined && secrets.length > 0 ? name : undefined;
  }

  signatureHeader(provider: ProviderName): string {
    return PROVIDER_MAPPERS[provider].signatureHeader;
  }

  async receive(request: IntakeRequest): Promise<IntakeResponse> {
    const provider = this.provider(request.provider);
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
      this.metrics.received.inc({ provider, result: 'rejected_signature' });
      return { status: 400, body: { error: 'INVALID_SIGNATURE', reason: verdict.reason } };
    }
    return this.store(provider, request, nowMs);
  }

  private invalid(provider: ProviderName, reason: string): IntakeResponse {
    this.metrics.received.inc({ provider, result: 'rejected_payload' });
    return { status: 400, body: { error: 'INVALID_PAYLOAD', reason } };
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
      return this.invalid(provider, 'the body is not JSON');
    }
    const envelope = PROVIDER_MAPPERS[provider].envelope(parsed);
    if (!envelope.ok) return this.invalid(provider, envelope.reason);
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
    this.metrics.received.inc({ provider, result: 'accepted' });
    return { status: 202, body: { status: 'accepted', providerEventId } };
  }

  private storeFailure(
    provider: ProviderName,
    providerEventId: string,
    error: unknown,
  ): IntakeResponse {
    if (error instanceof StreamConflictError) {
      // Already in the inbox: acknowledge, so that the provider stops redelivering.
      this.metrics.received.inc({ provider, result: 'duplicate' });
      return { status: 200, body: { status: 'duplicate', providerEventId } };
    }
    this.metrics.received.inc({ provider, result: 'store_failed' });
    this.options.logger.error({ err: error, provider, providerEventId }, 'webhook not stored');
    // Not acknowledged: the provider delivers it again later.
    const unavailable = error instanceof EventStoreUnavailableError;
    return {
      status: unavailable ? 503 : 500,
      body: { error: unavailable ? 'UNAVAILABLE' : 'INTERNAL', message: 'not stored; retry later' },
    };
  }
}
