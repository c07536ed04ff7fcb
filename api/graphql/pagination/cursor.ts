import { BadUserInputError } from '../errors.ts';

/**
 * Opaque keyset cursors: base64url of the ordering key of one row, tagged with the list it
 * came from so that a refunds cursor given to payments is refused rather than misread.
 */
export type CursorValues = readonly string[];

export function encodeCursor(list: string, values: CursorValues): string {
  return Buffer.from(JSON.stringify([list, ...values]), 'utf8').toString('base64url');
}

const cursorLengthMax = 512;

export function decodeCursor(
  list: string,
  cursor: string,
  keyCount: number,
  argument: string,
): CursorValues {
  const invalid = new BadUserInputError(`${argument} is not a cursor of this list`, argument);
  if (cursor.length === 0 || cursor.length > cursorLengthMax || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw invalid;
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (
    !Array.isArray(decoded) ||
    decoded.length !== keyCount + 1 ||
    decoded[0] !== list ||
    !decoded.every((part) => typeof part === 'string')
  ) {
    throw invalid;
  }
  return decoded.slice(1) as string[];
}
