import { BadUserInputError } from '../graphql/errors.ts';

/** The largest report accepted over GraphQL; bigger files go through `npm run reconcile`. */
export const UPLOAD_BYTES_MAX = 64 * 1024 * 1024;

const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;

/** The report's bytes from exactly one of `content` (text) and `contentBase64`. */
export function uploadedBytes(input: {
  content?: string | null;
  contentBase64?: string | null;
}): Buffer {
  const text = input.content ?? undefined;
  const encoded = input.contentBase64 ?? undefined;
  if ((text === undefined) === (encoded === undefined)) {
    throw new BadUserInputError('give exactly one of content and contentBase64', 'input');
  }
  if (text !== undefined) {
    if (Buffer.byteLength(text, 'utf8') > UPLOAD_BYTES_MAX) {
      throw new BadUserInputError(`the report is larger than ${UPLOAD_BYTES_MAX} bytes`, 'input');
    }
    return Buffer.from(text, 'utf8');
  }
  const compact = (encoded ?? '').replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !BASE64_PATTERN.test(compact)) {
    throw new BadUserInputError('contentBase64 is not base64', 'input');
  }
  if ((compact.length / 4) * 3 > UPLOAD_BYTES_MAX + 3) {
    throw new BadUserInputError(`the report is larger than ${UPLOAD_BYTES_MAX} bytes`, 'input');
  }
  return Buffer.from(compact, 'base64');
}
