import * as zlib from 'node:zlib';

type Crc32Function = (data: Uint8Array) => number;

// node:zlib gained a native crc32 in Node 20.15; older 20.x releases fall back to a table.
const nativeCrc32 = (zlib as unknown as { crc32?: (data: Uint8Array, value?: number) => number })
  .crc32;

function buildTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let byte = 0; byte < 256; byte += 1) {
    let value = byte;
    for (let bit = 0; bit < 8; bit += 1) {
      value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
    }
    table[byte] = value >>> 0;
  }
  return table;
}

let fallbackTable: Uint32Array | undefined;

export function tableCrc32(data: Uint8Array): number {
  fallbackTable ??= buildTable();
  const table = fallbackTable;
  let crc = 0xffffffff;
  for (let index = 0; index < data.length; index += 1) {
    crc = (table[(crc ^ (data[index] as number)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export const crc32: Crc32Function = nativeCrc32 ? (data) => nativeCrc32(data) >>> 0 : tableCrc32;
