/**
 * JSON with object keys sorted at every level: the same value always gives the same bytes,
 * which is what hashing and request fingerprints need. Bigints are written as decimal strings;
 * properties whose value is undefined are left out, as JSON.stringify does.
 *
 * Written directly rather than as JSON.stringify of a key-sorted copy (the bytes are the same:
 * `test/write/canonical-json.property.unit.spec.ts` checks it against that definition): this runs for every
 * event appended, and the copy was most of its cost. The one subtlety of the copy kept here:
 * an object's array-index keys ("0", "7", "10") come first in numeric order, as a JavaScript
 * object orders them, then the other keys sorted.
 */
export function canonicalJson(value: unknown): string {
  return write(value, 0, false);
}

const arrayIndex = /^(?:0|[1-9]\d{0,9})$/;
const arrayIndexMax = 4_294_967_294;

function isArrayIndex(key: string): boolean {
  return arrayIndex.test(key) && Number(key) <= arrayIndexMax;
}

function byCodeUnits(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Keys in the order a sorted copy would hold them. */
function orderedKeys(object: Record<string, unknown>): string[] {
  const keys = Object.keys(object).filter((key) => object[key] !== undefined);
  let indexes: string[] | undefined;
  let names: string[] | undefined;
  for (const key of keys) {
    if (isArrayIndex(key)) (indexes ??= []).push(key);
    else (names ??= []).push(key);
  }
  if (indexes === undefined) return keys.sort(byCodeUnits);
  indexes.sort((left, right) => Number(left) - Number(right));
  return names === undefined ? indexes : [...indexes, ...names.sort(byCodeUnits)];
}

function write(value: unknown, depth: number, inArray: boolean): string {
  if (depth > 64) throw new Error('value nested too deeply to canonicalise');
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return JSON.stringify(value);
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let index = 0; index < value.length; index += 1) {
          if (index > 0) out += ',';
          out += write(value[index], depth + 1, true);
        }
        return `${out}]`;
      }
      const object = value as Record<string, unknown>;
      let out = '{';
      let first = true;
      for (const key of orderedKeys(object)) {
        const item = object[key];
        if (typeof item === 'function' || typeof item === 'symbol') continue;
        out += `${first ? '' : ','}${JSON.stringify(key)}:${write(item, depth + 1, false)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      // undefined, functions and symbols: null inside an array, as JSON.stringify writes them.
      return inArray ? 'null' : 'undefined';
  }
}
