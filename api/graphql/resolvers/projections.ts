import { OperatorActionError } from '../../../projections/runner/poison.ts';
import type { ProjectionStatus } from '../../../projections/status/status.ts';
import { isPlatformWide } from '../../auth/roles.ts';
import type { GraphqlContext } from '../context.ts';
import { requireRole } from '../context.ts';
import { BadUserInputError, ForbiddenError } from '../errors.ts';

function text(value: bigint | null): string | null {
  return value === null ? null : value.toString();
}

/**
 * Projections are shared by every tenant, and an error message may quote another tenant's
 * event: a tenant's key sees progress, a platform key also sees errors and positions.
 */
function statusView(status: ProjectionStatus, platform: boolean) {
  return {
    ...status,
    owner: platform ? status.owner : null,
    checkpoint: text(status.checkpoint),
    headPosition: status.headPosition.toString(),
    lag: status.lagEvents,
    lagCapped: status.lagEventsCapped,
    eventsApplied: status.eventsApplied.toString(),
    lastError: platform
      ? status.lastError
      : status.lastError === null
        ? null
        : 'details need a platform-wide key',
    lastErrorAt: status.lastErrorAt,
    failedPosition: platform ? text(status.failedPosition) : null,
  };
}

export async function projectionStatuses(context: GraphqlContext) {
  requireRole(context, 'operate');
  const statuses = await context.services.projections.statuses();
  return statuses.map((status) => statusView(status, isPlatformWide(context.principal)));
}

async function statusOf(context: GraphqlContext, name: string) {
  const statuses = await projectionStatuses(context);
  const found = statuses.find((status) => status.name === name);
  if (!found) throw new BadUserInputError(`no projection named ${name}`, 'name');
  return found;
}

/** Operator actions change what every tenant reads: a platform key with role operate only. */
function requirePlatformOperator(context: GraphqlContext): void {
  requireRole(context, 'operate');
  if (!isPlatformWide(context.principal)) throw new ForbiddenError('operate (platform-wide key)');
}

async function operatorAction(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof OperatorActionError) throw new BadUserInputError(error.message, 'name');
    throw error;
  }
}

export const projectionMutationResolvers = {
  skipProjectionEvent: async (
    _: unknown,
    { input }: { input: { name: string; position: string } },
    context: GraphqlContext,
  ) => {
    requirePlatformOperator(context);
    if (!/^[0-9]{1,20}$/.test(input.position)) {
      throw new BadUserInputError('position must be a global position (digits)', 'position');
    }
    const actor = `api-key:${context.principal.keyId}`;
    const projections = context.services.projections;
    await operatorAction(() =>
      projections.skipPoisonEvent(input.name, BigInt(input.position), actor),
    );
    return statusOf(context, input.name);
  },
  retryProjection: async (
    _: unknown,
    { input }: { input: { name: string } },
    context: GraphqlContext,
  ) => {
    requirePlatformOperator(context);
    const actor = `api-key:${context.principal.keyId}`;
    await operatorAction(() => context.services.projections.retryProjection(input.name, actor));
    return statusOf(context, input.name);
  },
};
