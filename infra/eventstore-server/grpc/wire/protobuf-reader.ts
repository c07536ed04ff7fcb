/** The few protobuf wire primitives the hand-written request decoders need. */

const wireVarint = 0;
const wire64Bit = 1;
const wireLengthDelimited = 2;
const wire32Bit = 5;
const maximumVarintBytes = 10;

export class ProtobufReader {
  offset: number;

  constructor(
    readonly buffer: Uint8Array,
    start = 0,
    readonly end = buffer.length,
  ) {
    this.offset = start;
  }

  get done(): boolean {
    return this.offset >= this.end;
  }

  /** A varint as a number: exact below 2^53, which every tag, length and small field is. */
  varint(): number {
    let result = 0;
    let scale = 1;
    // At most ten bytes, as in the protobuf spec.
    for (let index = 0; index < maximumVarintBytes; index += 1) {
      const byte = this.byte();
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
    throw new RangeError('malformed varint');
  }

  /** A 64-bit varint as an unsigned bigint (u64 fields, and int64 before reinterpretation). */
  bigVarint(): bigint {
    let result = 0n;
    let shift = 0n;
    // At most ten bytes, as in the protobuf spec.
    for (let index = 0; index < maximumVarintBytes; index += 1) {
      const byte = this.byte();
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new RangeError('malformed varint');
  }

  /** A signed int64 field (two's complement in ten bytes when negative). */
  int64(): bigint {
    return BigInt.asIntN(64, this.bigVarint());
  }

  /** The payload of a length-delimited field, as a view (no copy). */
  bytes(): Uint8Array {
    const length = this.varint();
    const start = this.offset;
    if (start + length > this.end)
      throw new RangeError('length-delimited field runs past its message');
    this.offset += length;
    return this.buffer.subarray(start, start + length);
  }

  /** A nested message: a reader over its bytes, advancing this one past them. */
  message(): ProtobufReader {
    const length = this.varint();
    const start = this.offset;
    if (start + length > this.end) throw new RangeError('nested message runs past its parent');
    this.offset += length;
    return new ProtobufReader(this.buffer, start, start + length);
  }

  string(): string {
    const bytes = this.bytes();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  }

  /** Skips a field this decoder does not know, as protobuf requires. */
  skip(wireType: number): void {
    if (wireType === wireVarint) this.varint();
    else if (wireType === wire64Bit) this.advance(8);
    else if (wireType === wireLengthDelimited) this.bytes();
    else if (wireType === wire32Bit) this.advance(4);
    else throw new RangeError(`unsupported wire type ${wireType}`);
  }

  private advance(count: number): void {
    if (this.offset + count > this.end) throw new RangeError('field runs past its message');
    this.offset += count;
  }

  private byte(): number {
    if (this.offset >= this.end) throw new RangeError('message ends inside a varint');
    const byte = this.buffer[this.offset] as number;
    this.offset += 1;
    return byte;
  }
}
