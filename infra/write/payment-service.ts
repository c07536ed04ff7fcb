import { v7 as uuidV7 } from 'uuid';
import type { DomainError } from '../../domain/errors.ts';
import type { PaymentCommand } from '../../domain/payment/commands.ts';
import type { PaymentEvent } from '../../domain/payment/events.ts';
import type { PaymentState } from '../../domain/payment/state.ts';
import type { EventStore, StoredEvent } from '../eventstore/event-store.ts';
import { AggregateCache } from './aggregate-cache.ts';
import { loadAggregate } from './aggregate-store.ts';
import { defaultCommandOptions, handleCommand, type CommandOutcome } from './command-handler.ts';
import type { CommandContext, EventSource } from './event-metadata.ts';
import { runIdempotent, type ExecutionResult } from './idempotency.ts';
import {
  parseIdempotencyKey,
  parseIdentifier,
  parseMoneyInput,
  parseText,
  type MoneyInput,
  type Parsed,
} from './input.ts';
import { paymentAggregate, scopedToTenant } from './payment-aggregate.ts';
import { claimProviderReference } from './provider-references.ts';
import {
  paymentSnapshot,
  refundSnapshot,
  type PaymentSnapshot,
  type RefundSnapshot,
} from './payment-snapshot.ts';

/** Who is calling: resolved at the edge from an API key, a webhook provider or a component. */
export interface Caller {
  /** The caller's tenant, or '*' for a platform-wide key. */
  tenantId: string;
  actor: string;
  source: EventSource;
  correlationId: string;
  causationId: string;
}

/** Refusals the write path adds to the domain's own codes. */
export type ServiceErrorCode = 'PROVIDER_REFERENCE_IN_USE';

export type UserError = Omit<DomainError, 'code'> & {
  code: DomainError['code'] | ServiceErrorCode;
};

export interface PaymentResult {
  payment: PaymentSnapshot | null;
  consistencyToken: string | null;
  errors: UserError[];
}

export interface RefundResult {
  refund: RefundSnapshot | null;
  payment: PaymentSnapshot | null;
  consistencyToken: string | null;
  errors: UserError[];
}

export interface CreatePaymentInput {
  idempotencyKey: string;
  amount: MoneyInput;
  reference?: string | null;
  providerPaymentId?: string | null;
  provider?: string | null;
  merchantId?: string | null;
  captureMode?: 'automatic' | 'manual' | null;
  authorizationWindowSeconds?: number | null;
}

export interface AuthorizePaymentInput {
  paymentId: string;
  amount?: MoneyInput | null;
  idempotencyKey: string;
  captureWindowSeconds?: number | null;
}

export interface CapturePaymentInput {
  paymentId: string;
  amount?: MoneyInput | null;
  idempotencyKey: string;
}

export interface VoidPaymentInput {
  paymentId: string;
  idempotencyKey: string;
  reason?: string | null;
}

export interface RefundPaymentInput {
  paymentId: string;
  amount: MoneyInput;
  reason?: string | null;
  idempotencyKey: string;
}

export interface PaymentServiceOptions {
  clock: () => Date;
  /** Default time a payment may stay unauthorized before it expires. */
  authorizationWindowSeconds: number;
  /** Default time an authorization may stay uncaptured before it is voided. */
  captureWindowSeconds: number;
}

export const defaultPaymentServiceOptions: PaymentServiceOptions = {
  clock: () => new Date(),
  authorizationWindowSeconds: 24 * 60 * 60,
  captureWindowSeconds: 7 * 24 * 60 * 60,
};

const tenantPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

function refused(error: UserError): PaymentResult {
  return { payment: null, consistencyToken: null, errors: [error] };
}

function refusedRefund(error: UserError): RefundResult {
  return { refund: null, payment: null, consistencyToken: null, errors: [error] };
}

function plusSeconds(now: Date, seconds: number): string {
  return new Date(now.getTime() + seconds * 1000).toISOString();
}

function collect(parsed: ReadonlyArray<Parsed<unknown>>): DomainError | undefined {
  for (const result of parsed) if (!result.ok) return result.error;
  return undefined;
}

/** The write side's front: validates input, claims idempotency keys, runs payment commands. */
export class PaymentService {
  private readonly cache = new AggregateCache<PaymentState>(2_000);
  private readonly commandOptions = { ...defaultCommandOptions, cache: this.cache };

  constructor(
    private readonly store: EventStore,
    private readonly options: PaymentServiceOptions = defaultPaymentServiceOptions,
  ) {}

  private now(): string {
    return this.options.clock().toISOString();
  }

  private context(caller: Caller): (state: PaymentState | undefined) => CommandContext {
    return (state) => ({
      tenantId: state?.tenantId ?? caller.tenantId,
      actor: caller.actor,
      source: caller.source,
      correlationId: caller.correlationId,
      causationId: caller.causationId,
    });
  }

  /** Runs one command on a payment, scoped to the caller's tenant, with no idempotency key. */
  async execute(
    caller: Caller,
    command: PaymentCommand,
  ): Promise<CommandOutcome<PaymentState, PaymentEvent>> {
    return handleCommand(
      this.store,
      scopedToTenant(paymentAggregate, caller.tenantId),
      command.data.paymentId,
      command,
      this.context(caller),
      this.commandOptions,
    );
  }

  /** The payment's events and folded state, or undefined when absent or another tenant's. */
  async load(
    tenantId: string,
    paymentId: string,
  ): Promise<{ state: PaymentState; events: StoredEvent[] } | undefined> {
    if (!parseIdentifier(paymentId, ['paymentId']).ok) return undefined;
    const events = await this.store.readStream(paymentAggregate.streamName(paymentId));
    if (!events || events.length === 0) return undefined;
    let state: PaymentState | undefined;
    for (const stored of events)
      state = paymentAggregate.evolve(state, paymentAggregate.decode(stored));
    if (!state || (tenantId !== '*' && state.tenantId !== tenantId)) return undefined;
    return { state, events };
  }

  /**
   * The payment's state to plan a command on, for a caller that runs several commands in a row
   * (the webhook processor): the cached aggregate when warm, else one read that also warms the
   * cache, so the command that follows appends without reading again. A cached state may be
   * behind the store, never ahead: the command still appends with its expected revision, and a
   * caller that would wait or refuse on it asks again with `fresh`.
   */
  async loadForCommand(
    tenantId: string,
    paymentId: string,
    options: { fresh: boolean },
  ): Promise<{ state: PaymentState; fromCache: boolean } | undefined> {
    if (!parseIdentifier(paymentId, ['paymentId']).ok) return undefined;
    const stream = paymentAggregate.streamName(paymentId);
    let loaded = options.fresh ? undefined : this.cache.get(stream);
    const fromCache = loaded?.state !== undefined;
    if (!fromCache) {
      loaded = await loadAggregate(this.store, paymentAggregate, paymentId);
      if (loaded.state !== undefined) this.cache.set(stream, { ...loaded, events: [] });
    }
    const state = loaded?.state;
    if (!state || (tenantId !== '*' && state.tenantId !== tenantId)) return undefined;
    return { state, fromCache };
  }

  private toPaymentResult(outcome: CommandOutcome<PaymentState, PaymentEvent>): ExecutionResult {
    if (!outcome.ok) {
      const transient = outcome.error.code === 'CONCURRENCY_CONFLICT';
      return { store: !transient, json: JSON.stringify(refused(outcome.error)) };
    }
    const result: PaymentResult = {
      payment: paymentSnapshot(outcome.state),
      consistencyToken: outcome.position.toString(),
      errors: [],
    };
    return { store: true, json: JSON.stringify(result) };
  }

  private async idempotent<Result>(
    caller: Caller,
    tenantId: string,
    key: string,
    operation: string,
    request: unknown,
    reservedIds: Record<string, string>,
    execute: (ids: Record<string, string>) => Promise<ExecutionResult>,
    onRefusal: (error: DomainError) => Result,
  ): Promise<Result> {
    const outcome = await runIdempotent(
      this.store,
      // The command's time is reserved with its ids: a retry after a crash decides with the same
      // data (e.g. the same capture deadline), so the decider sees it as already done.
      {
        tenantId,
        key,
        operation,
        request,
        reservedIds: { ...reservedIds, at: this.now() },
        at: this.now(),
      },
      execute,
    );
    if (outcome.kind === 'refused') return onRefusal(outcome.error);
    return JSON.parse(outcome.json) as Result;
  }

  async createPayment(caller: Caller, input: CreatePaymentInput): Promise<PaymentResult> {
    const key = parseIdempotencyKey(input.idempotencyKey, ['input', 'idempotencyKey']);
    const amount = parseMoneyInput(input.amount, ['input', 'amount']);
    const reference = parseText(input.reference, ['input', 'reference'], 255);
    const providerPaymentId = parseText(
      input.providerPaymentId,
      ['input', 'providerPaymentId'],
      255,
    );
    const provider = parseText(input.provider, ['input', 'provider'], 64);
    const problem = collect([key, amount, reference, providerPaymentId, provider]);
    if (problem) return refused(problem);
    const tenant = this.resolveTenant(caller, input.merchantId);
    if (!tenant.ok) return refused(tenant.error);
    const window = input.authorizationWindowSeconds ?? this.options.authorizationWindowSeconds;
    if (!Number.isInteger(window) || window < 1 || window > 366 * 24 * 3600) {
      return refused({
        code: 'INVALID_COMMAND',
        message: 'authorizationWindowSeconds must be a whole number of seconds up to a year',
        field: ['input', 'authorizationWindowSeconds'],
      });
    }
    const request = { ...input, idempotencyKey: undefined, merchantId: tenant.value };
    return this.idempotent(
      caller,
      tenant.value,
      key.ok ? key.value : '',
      'createPayment',
      request,
      { paymentId: uuidV7() },
      async (ids) => {
        const now = new Date(ids.at ?? this.now());
        if (providerPaymentId.ok && providerPaymentId.value !== null) {
          const claim = await claimProviderReference(this.store, {
            providerPaymentId: providerPaymentId.value,
            paymentId: ids.paymentId!,
            tenantId: tenant.value,
            at: now.toISOString(),
          });
          if (!claim.ok) {
            return {
              store: true,
              json: JSON.stringify(
                refused({
                  code: 'PROVIDER_REFERENCE_IN_USE',
                  message: 'providerPaymentId already belongs to another payment',
                  field: ['input', 'providerPaymentId'],
                }),
              ),
            };
          }
        }
        // A new payment id: presume the stream absent and skip the read (a conflict re-reads).
        this.cache.set(paymentAggregate.streamName(ids.paymentId!), {
          state: undefined,
          expected: 'no_stream',
          lastHash: null,
          lastPosition: undefined,
          events: [],
        });
        const outcome = await handleCommand(
          this.store,
          scopedToTenant(paymentAggregate, tenant.value),
          ids.paymentId!,
          {
            type: 'CreatePayment',
            data: {
              paymentId: ids.paymentId!,
              tenantId: tenant.value,
              amount: amount.ok ? amount.value : (undefined as never),
              reference: reference.ok ? reference.value : null,
              providerPaymentId: providerPaymentId.ok ? providerPaymentId.value : null,
              provider: provider.ok ? provider.value : null,
              captureMode: input.captureMode ?? 'manual',
              authorizationExpiresAt: plusSeconds(now, window),
              at: now.toISOString(),
            },
          },
          this.context({ ...caller, tenantId: tenant.value }),
          this.commandOptions,
        );
        return this.toPaymentResult(outcome);
      },
      refused,
    );
  }

  private resolveTenant(caller: Caller, merchantId: string | null | undefined): Parsed<string> {
    if (caller.tenantId === '*') {
      if (!merchantId || !tenantPattern.test(merchantId)) {
        return {
          ok: false,
          error: {
            code: 'INVALID_COMMAND',
            message: 'a platform-wide key must name the merchant (merchantId)',
            field: ['input', 'merchantId'],
          },
        };
      }
      return { ok: true, value: merchantId };
    }
    if (merchantId && merchantId !== caller.tenantId) {
      return {
        ok: false,
        error: {
          code: 'INVALID_COMMAND',
          message: "merchantId must be omitted or equal to the key's own tenant",
          field: ['input', 'merchantId'],
        },
      };
    }
    return { ok: true, value: caller.tenantId };
  }

  /** Shared path of the commands on an existing payment that carry an idempotency key. */
  private async onPayment(
    caller: Caller,
    operation: string,
    input: { paymentId: string; idempotencyKey: string },
    request: unknown,
    reserved: Record<string, string>,
    build: (ids: Record<string, string>, at: string) => PaymentCommand,
  ): Promise<PaymentResult> {
    const key = parseIdempotencyKey(input.idempotencyKey, ['input', 'idempotencyKey']);
    const paymentId = parseIdentifier(input.paymentId, ['input', 'paymentId']);
    const problem = collect([key, paymentId]);
    if (problem) return refused(problem);
    return this.idempotent(
      caller,
      caller.tenantId,
      key.ok ? key.value : '',
      operation,
      request,
      reserved,
      async (ids) =>
        this.toPaymentResult(await this.execute(caller, build(ids, ids.at ?? this.now()))),
      refused,
    );
  }

  async authorizePayment(caller: Caller, input: AuthorizePaymentInput): Promise<PaymentResult> {
    const amount = input.amount ? parseMoneyInput(input.amount, ['input', 'amount']) : undefined;
    if (amount && !amount.ok) return refused(amount.error);
    const window = input.captureWindowSeconds ?? this.options.captureWindowSeconds;
    const request = { ...input, idempotencyKey: undefined };
    return this.onPayment(caller, 'authorizePayment', input, request, {}, (_ids, at) => ({
      type: 'AuthorizePayment',
      data: {
        paymentId: input.paymentId,
        ...(amount?.ok ? { amount: amount.value } : {}),
        captureExpiresAt: plusSeconds(new Date(at), window),
        at,
      },
    }));
  }

  async capturePayment(caller: Caller, input: CapturePaymentInput): Promise<PaymentResult> {
    const amount = input.amount ? parseMoneyInput(input.amount, ['input', 'amount']) : undefined;
    if (amount && !amount.ok) return refused(amount.error);
    const request = { ...input, idempotencyKey: undefined };
    return this.onPayment(
      caller,
      'capturePayment',
      input,
      request,
      { captureId: uuidV7() },
      (ids, at) => ({
        type: 'CapturePayment',
        data: {
          paymentId: input.paymentId,
          captureId: ids.captureId!,
          ...(amount?.ok ? { amount: amount.value } : {}),
          at,
        },
      }),
    );
  }

  async voidPayment(caller: Caller, input: VoidPaymentInput): Promise<PaymentResult> {
    const reason = parseText(input.reason, ['input', 'reason'], 500);
    if (!reason.ok) return refused(reason.error);
    const request = { ...input, idempotencyKey: undefined };
    return this.onPayment(caller, 'voidPayment', input, request, {}, (_ids, at) => ({
      type: 'VoidPayment',
      data: { paymentId: input.paymentId, reason: reason.value, at },
    }));
  }

  async refundPayment(caller: Caller, input: RefundPaymentInput): Promise<RefundResult> {
    const key = parseIdempotencyKey(input.idempotencyKey, ['input', 'idempotencyKey']);
    const paymentId = parseIdentifier(input.paymentId, ['input', 'paymentId']);
    const amount = parseMoneyInput(input.amount, ['input', 'amount']);
    const reason = parseText(input.reason, ['input', 'reason'], 500);
    const problem = collect([key, paymentId, amount, reason]);
    if (problem) return refusedRefund(problem);
    const request = { ...input, idempotencyKey: undefined };
    return this.idempotent(
      caller,
      caller.tenantId,
      key.ok ? key.value : '',
      'refundPayment',
      request,
      { refundId: uuidV7() },
      async (ids) => {
        const outcome = await this.execute(caller, {
          type: 'RequestRefund',
          data: {
            paymentId: input.paymentId,
            refundId: ids.refundId!,
            amount: amount.ok ? amount.value : (undefined as never),
            reason: reason.ok ? reason.value : null,
            at: ids.at ?? this.now(),
          },
        });
        if (!outcome.ok) {
          const transient = outcome.error.code === 'CONCURRENCY_CONFLICT';
          return { store: !transient, json: JSON.stringify(refusedRefund(outcome.error)) };
        }
        const refund = outcome.state.refunds.get(ids.refundId!);
        const result: RefundResult = {
          refund: refund ? refundSnapshot(outcome.state, refund) : null,
          payment: paymentSnapshot(outcome.state),
          consistencyToken: outcome.position.toString(),
          errors: [],
        };
        return { store: true, json: JSON.stringify(result) };
      },
      refusedRefund,
    );
  }
}
