import type { Plugin } from 'graphql-yoga';
import { GraphQLError } from './graphql-module.ts';

type ResultLike = { errors?: readonly unknown[] };

/**
 * graphql-js reports syntax errors, validation errors and variables of the wrong type without
 * `extensions.code`. Clients branch on the code, so every refused request gets one here, in
 * the last step before the answer is written. Errors that already carry a code are unchanged.
 */
function codeFor(error: GraphQLError): string {
  if (error.message.startsWith('Syntax Error')) return 'GRAPHQL_PARSE_FAILED';
  if (error.message.startsWith('Variable "$')) return 'BAD_USER_INPUT';
  return 'GRAPHQL_VALIDATION_FAILED';
}

function withCode(error: unknown): unknown {
  if (!(error instanceof GraphQLError) || typeof error.extensions?.code === 'string') return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code: codeFor(error) },
  });
}

function withCodes(result: ResultLike): ResultLike {
  if (!result.errors?.some((error) => withCode(error) !== error)) return result;
  return { ...result, errors: result.errors.map(withCode) };
}

export function errorCodesPlugin(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result)) {
        setResult(result.map((item: ResultLike) => withCodes(item)) as typeof result);
      } else if (result && typeof result === 'object' && 'errors' in result) {
        setResult(withCodes(result as ResultLike) as typeof result);
      }
    },
  };
}
