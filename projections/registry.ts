import type { Projection } from './core/types.ts';
import { auditLogProjection } from './read-models/audit-log/projection.ts';
import { journalProjection } from './read-models/journal/projection.ts';
import { paymentsProjection } from './read-models/payments/projection.ts';
import { reconciliationProjection } from './read-models/reconciliation/projection.ts';
import { refundsProjection } from './read-models/refunds/projection.ts';
import { webhookInboxProjection } from './read-models/webhook-inbox/projection.ts';

/** Every projection the service runs. Adding a read model: one module here, one migration. */
export const allProjections: readonly Projection[] = [
  paymentsProjection,
  refundsProjection,
  auditLogProjection,
  webhookInboxProjection,
  journalProjection,
  reconciliationProjection,
];

export function projectionNamed(name: string, projections = allProjections): Projection {
  const projection = projections.find((candidate) => candidate.name === name);
  if (!projection) {
    const known = projections.map((candidate) => candidate.name).join(', ');
    throw new Error(`unknown projection ${name} (known: ${known})`);
  }
  return projection;
}
