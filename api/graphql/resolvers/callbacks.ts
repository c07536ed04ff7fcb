import type { CallbackView } from '../../../infra/webhooks/callback-view.ts';
import type { Operator, OperatorResult } from '../../../infra/webhooks/operator.ts';
import type { GraphqlContext } from '../context.ts';
import { requireRole } from '../context.ts';
import { BadUserInputError } from '../errors.ts';

function operatorOf(context: GraphqlContext): Operator {
  return {
    actor: `api-key:${context.principal.keyId}`,
    tenantId: context.principal.tenant,
    correlationId: context.requestId,
  };
}

function view(callback: CallbackView) {
  return {
    ...callback,
    id: `${callback.provider}:${callback.providerEventId}`,
    state: callback.state.toUpperCase(),
    merchantId: callback.tenantId,
  };
}

/** `provider:providerEventId`; the provider name never holds a colon, the event id may. */
function parseId(id: string): { provider: string; providerEventId: string } {
  const separator = id.indexOf(':');
  if (separator <= 0 || separator === id.length - 1 || id.length > 512) {
    throw new BadUserInputError('id must be provider:providerEventId', 'id');
  }
  return { provider: id.slice(0, separator), providerEventId: id.slice(separator + 1) };
}

function payload(result: OperatorResult<CallbackView>) {
  if (result.ok) return { callback: view(result.value), errors: [] };
  return { callback: null, errors: [{ code: result.error.code, message: result.error.message }] };
}

function operations(context: GraphqlContext) {
  const webhooks = context.services.webhooks;
  if (!webhooks) throw new BadUserInputError('callback operations are not enabled', 'id');
  return webhooks;
}

export const callbackQueryResolvers = {
  callbacks: async (
    _parent: unknown,
    args: {
      state?: string | null;
      provider?: string | null;
      first?: number | null;
      after?: string | null;
    },
    context: GraphqlContext,
  ) => {
    requireRole(context, 'operate');
    const result = await operations(context).listCallbacks(
      {
        state: args.state ? (args.state.toLowerCase() as 'parked') : null,
        provider: args.provider ?? null,
        limit: args.first ?? 50,
        after: args.after ?? null,
      },
      operatorOf(context),
    );
    if (!result.ok) throw new BadUserInputError(result.error.message, 'after');
    return { items: result.value.items.map(view), nextCursor: result.value.nextCursor };
  },
};

export const callbackMutationResolvers = {
  replayCallback: async (_parent: unknown, args: { id: string }, context: GraphqlContext) => {
    requireRole(context, 'operate');
    const { provider, providerEventId } = parseId(args.id);
    return payload(
      await operations(context).replayCallback(provider, providerEventId, operatorOf(context)),
    );
  },
  resolveCallback: async (
    _parent: unknown,
    args: { input: { id: string; resolution: string; note: string } },
    context: GraphqlContext,
  ) => {
    requireRole(context, 'operate');
    const { provider, providerEventId } = parseId(args.input.id);
    return payload(
      await operations(context).resolveCallbackManually(
        provider,
        providerEventId,
        args.input.resolution.toLowerCase(),
        args.input.note,
        operatorOf(context),
      ),
    );
  },
};
