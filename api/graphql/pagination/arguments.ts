import { BadUserInputError } from '../errors.ts';

export const pageSizeDefault = 20;
export const pageSizeMax = 100;

/** The Relay arguments as clients send them. */
export interface ConnectionArguments {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface PageRequest {
  direction: 'forward' | 'backward';
  size: number;
  after: string | undefined;
  before: string | undefined;
}

function checkSize(name: 'first' | 'last', value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > pageSizeMax) {
    throw new BadUserInputError(
      `${name} must be an integer from 0 to ${pageSizeMax} (the maximum page size)`,
      name,
    );
  }
  return value;
}

/** Validates page arguments: one of first/last, a page size of at most pageSizeMax. */
export function pageRequest(args: ConnectionArguments): PageRequest {
  const first = args.first ?? undefined;
  const last = args.last ?? undefined;
  if (first !== undefined && last !== undefined) {
    throw new BadUserInputError('give first (forwards) or last (backwards), not both', 'last');
  }
  const after = args.after ?? undefined;
  const before = args.before ?? undefined;
  if (last !== undefined) {
    return { direction: 'backward', size: checkSize('last', last), after, before };
  }
  if (first === undefined && before !== undefined && after === undefined) {
    // `before` alone reads the page that ends at the cursor.
    return { direction: 'backward', size: pageSizeDefault, after, before };
  }
  const size = first === undefined ? pageSizeDefault : checkSize('first', first);
  return { direction: 'forward', size, after, before };
}
