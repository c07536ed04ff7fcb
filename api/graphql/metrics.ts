import { Kind, type DocumentNode, type OperationDefinitionNode } from './graphql-module.ts';
import type { Plugin } from 'graphql-yoga';
import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * Labels are bounded on purpose: the operation type and a coarse outcome, never client-chosen
 * text (operation names) and never anything from a key.
 */
export interface GraphqlMetrics {
  operations: Counter<'operation_type' | 'outcome'>;
  durationSeconds: Histogram<'operation_type'>;
  authenticationFailures: Counter<'reason'>;
}

function existingOr<Metric>(registry: Registry, name: string, create: () => Metric): Metric {
  return (registry.getSingleMetric(name) as Metric | undefined) ?? create();
}

export function createGraphqlMetrics(registry: Registry): GraphqlMetrics {
  return {
    operations: existingOr(
      registry,
      'graphql_operations_total',
      () =>
        new Counter({
          name: 'graphql_operations_total',
          help: 'GraphQL operations executed, by type and outcome (ok, error).',
          labelNames: ['operation_type', 'outcome'] as const,
          registers: [registry],
        }),
    ),
    durationSeconds: existingOr(
      registry,
      'graphql_operation_duration_seconds',
      () =>
        new Histogram({
          name: 'graphql_operation_duration_seconds',
          help: 'Time to execute a GraphQL operation.',
          labelNames: ['operation_type'] as const,
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
          registers: [registry],
        }),
    ),
    authenticationFailures: existingOr(
      registry,
      'api_authentication_failures_total',
      () =>
        new Counter({
          name: 'api_authentication_failures_total',
          help: 'Requests refused for a missing, malformed or unknown API key.',
          labelNames: ['reason'] as const,
          registers: [registry],
        }),
    ),
  };
}

function operationType(document: DocumentNode, operationName: string | null | undefined): string {
  const operation = document.definitions.find(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION &&
      (!operationName || definition.name?.value === operationName),
  );
  return operation?.operation ?? 'unknown';
}

export function metricsPlugin(metrics: GraphqlMetrics): Plugin {
  return {
    onExecute({ args }) {
      const type = operationType(args.document, args.operationName);
      const stop = metrics.durationSeconds.startTimer({ operation_type: type });
      return {
        onExecuteDone({ result }) {
          stop();
          const failed =
            'errors' in result && Array.isArray(result.errors) && result.errors.length > 0;
          metrics.operations.inc({ operation_type: type, outcome: failed ? 'error' : 'ok' });
        },
      };
    },
  };
}
