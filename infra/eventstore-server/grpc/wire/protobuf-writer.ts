/**
 * The few protobuf wire primitives the hand-written encoders need. Sizes are computed first so
 * every message is written into one exactly-sized Buffer, with no intermediate copies.
 */

export const wireVarint = 0;
export const wireLengthDelimited = 2;

const twoTo64 = 1n << 64n;
const maximumSafe = BigInt(Number.MAX_SAFE_INTEGER);

export function tag(fieldNumber: number, wireType: number): number {
  return fieldNumber * 8 + wireType;
}

/** Bytes of a varint holding a non-negative safe integer. */
export function varintSize(value: number): number {
  let size = 1;
  // At most 8 rounds for values below 2^53.
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size += 1;
  }
  return size;
}

/** 64-bit varints as protobuf writes them: negative int64 values take all ten bytes. */
export function bigVarintSize(value: bigint): number {
  const unsigned = value < 0n ? value + twoTo64 : value;
  if (unsigned <= maximumSafe) return varintSize(Number(unsigned));
  let size = 1;
  let rest = unsigned >> 7n;
  // At most 9 rounds for a 64-bit value.
  while (rest > 0n) {
    rest >>= 7n;
    size += 1;
  }
  return size;
}

/** Size of a length-delimited field (tag, length, payload) whose payload is `length` bytes. */
export function delimitedFieldSize(fieldNumber: number, length: number): number {
  return varintSize(tag(fieldNumber, wireLengthDelimited)) + varintSize(length) + length;
}

export function varintFieldSize(fieldNumber: number, value: bigint): number {
  return varintSize(tag(fieldNumber, wireVarint)) + bigVarintSize(value);
}

/** A cursor over a Buffer sized in advance by the `*Size` functions above. */
export class ProtobufWriter {
  offset = 0;

  constructor(readonly buffer: Buffer) {}

  varint(value: number): void {
    const buffer = this.buffer;
    // At most 8 rounds for values below 2^53.
    while (value >= 0x80) {
      buffer[this.offset] = (value % 128) | 0x80;
      this.offset += 1;
      value = Math.floor(value / 128);
    }
    buffer[this.offset] = value;
    this.offset += 1;
  }

  bigVarint(value: bigint): void {
    let unsigned = value < 0n ? value + twoTo64 : value;
    if (unsigned <= maximumSafe) return this.varint(Number(unsigned));
    // At most 10 rounds for a 64-bit value.
    while (unsigned >= 0x80n) {
      this.buffer[this.offset] = Number(unsigned & 0x7fn) | 0x80;
      this.offset += 1;
      unsigned >>= 7n;
    }
    this.buffer[this.offset] = Number(unsigned);
    this.offset += 1;
  }

  fieldHeader(fieldNumber: number, wireType: number): void {
    this.varint(tag(fieldNumber, wireType));
  }

  /** Tag and length of a length-delimited field whose payload the caller writes next. */
  delimitedHeader(fieldNumber: number, length: number): void {
    this.varint(tag(fieldNumber, wireLengthDelimited));
    this.varint(length);
  }

  bytesField(fieldNumber: number, bytes: Uint8Array): void {
    this.delimitedHeader(fieldNumber, bytes.length);
    this.buffer.set(bytes, this.offset);
    this.offset += bytes.length;
  }

  /** `text` must be pure ASCII (its length is its UTF-8 size). */
  asciiField(fieldNumber: number, text: string): void {
    this.delimitedHeader(fieldNumber, text.length);
    this.offset += this.buffer.write(text, this.offset, 'latin1');
  }

  varintField(fieldNumber: number, value: bigint): void {
    this.varint(tag(fieldNumber, wireVarint));
    this.bigVarint(value);
  }
}
