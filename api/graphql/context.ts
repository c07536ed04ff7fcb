import type { WebhookOperations } from '../../infra/webhooks/operator.ts';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../infra/logging/logger.ts';
import type { EventStore } from '../../infra/eventstore/event-store.ts';
import type { Caller, PaymentService } from '../../infra/write/payment-service.ts';
import { hasRole, type Principal, type Role } from '../auth/roles.ts';
import { consistencyGate, type WaitForPosition } from './consistency.ts';
import type { RunningProjections } from '../../projections/start.ts';
import type { Queryable } from './data/sql.ts';
import { ForbiddenError } from './errors.ts';
import { auditEventFromStored } from './event-history.ts';
import { createLoaders, type Loaders } from './loaders.ts';

/** What the API uses of the read side's running projections (projections/start.ts). */
export type ProjectionsApi = Pick<
  RunningProjections,
  'statuses' | 'waitForPosition' | 'skipPoisonEvent' | 'retryProjection'
>;

/** Long-lived dependencies, shared by every request. */
export interface GraphqlServices {
  logger: Logger;
  readPool: Queryable;
  paymentService: PaymentService;
  eventStore: EventStore;
  /** Status of the projections and the operator's actions on them (role operate). */
  projections: Omit<ProjectionsApi, 'waitForPosition'>;
  waitForPosition: WaitForPosition;
  consistencyTimeoutMs: number;
  /** Operator actions on provider callbacks; absent when webhooks are not wired. */
  webhooks?: WebhookOperations;
}

/** Built for every request: who calls, and fresh loaders that cache for this request only. */
export interface GraphqlContext {
  principal: Principal;
  requestId: string;
  services: GraphqlServices;
  /** The read pool, after the request's consistency token (if any) has been reached. */
  readModel: () => Promise<Queryable>;
  loaders: Loaders;
  /** The caller a command runs as: the key, its tenant, and this request for correlation. */
  caller: () => Caller;
}

export interface RequestIdentity {
  principal: Principal;
  requestId: string;
  consistencyToken: bigint | undefined;
}

export function createContext(
  services: GraphqlServices,
  identity: RequestIdentity,
): GraphqlContext {
  const { principal, requestId } = identity;
  const readModel = consistencyGate(
    services.readPool,
    identity.consistencyToken,
    services.waitForPosition,
    services.consistencyTimeoutMs,
  );
  const loaders = createLoaders({
    principal,
    readModel,
    paymentEvents: async (paymentId) => {
      const loaded = await services.paymentService.load(principal.tenant, paymentId);
      return loaded?.events.map(auditEventFromStored);
    },
  });
  return {
    principal,
    requestId,
    services,
    readModel,
    loaders,
    caller: () => ({
      tenantId: principal.tenant,
      actor: `api-key:${principal.keyId}`,
      source: 'api',
      correlationId: requestId,
      // Each command of a request is its own cause, so that the audit trail can tell them apart.
      causationId: randomUUID(),
    }),
  };
}

/** Throws FORBIDDEN naming the role when the key lacks it. */
export function requireRole(context: GraphqlContext, role: Role): void {
  if (!hasRole(context.principal, role)) throw new ForbiddenError(role);
}
