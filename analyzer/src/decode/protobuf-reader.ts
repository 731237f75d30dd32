/*
 * Just enough protobuf to read a KPL AggregatedRecord: varints (≤ 64 bits, kept as numbers when
 * they fit), length-delimited fields, and skipping of every other wire type so unknown fields
 * written by newer producers are ignored rather than fatal.
 */

/** Protobuf wire types (only the ones that can appear in proto2 messages). */
export const WireTypes = {
  VARINT: 0,
  FIXED64: 1,
  LENGTH_DELIMITED: 2,
  START_GROUP: 3,
  END_GROUP: 4,
  FIXED32: 5,
} as const;

/** Thrown for malformed protobuf; callers turn it into an unparseable-record count. */
export class ProtobufFormatError extends Error {}

const MAX_VARINT_BYTES = 10;

/**
 * A cursor over protobuf bytes. Every read checks bounds.
 *
 * @example
 * ```ts
 * const r = new ProtobufReader(bytes);
 * while (!r.done) { const { field, wireType } = r.tag(); r.skip(wireType); }
 * ```
 */
export class ProtobufReader {
  private offset: number;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.offset = start;
  }

  get done(): boolean {
    return this.offset >= this.end;
  }

  /** The next field tag. */
  tag(): { field: number; wireType: number } {
    const value = this.varint();
    const field = Math.floor(value / 8);
    if (field === 0) throw new ProtobufFormatError('field number 0');
    return { field, wireType: value % 8 };
  }

  /** A varint as a number; values above 2^53 lose precision (no KPL field gets near that). */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (this.offset >= this.end) throw new ProtobufFormatError('truncated varint');
      const byte = this.bytes[this.offset++] ?? 0;
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new ProtobufFormatError('varint longer than 10 bytes');
  }

  /** A length-delimited field's bytes (a view, not a copy). */
  bytesField(): Uint8Array {
    const length = this.varint();
    const start = this.offset;
    if (length > this.end - start) throw new ProtobufFormatError('length past the end');
    this.offset += length;
    return this.bytes.subarray(start, start + length);
  }

  /** Skips a field's value of the given wire type. */
  skip(wireType: number): void {
    switch (wireType) {
      case WireTypes.VARINT:
        this.varint();
        return;
      case WireTypes.FIXED64:
        this.advance(8);
        return;
      case WireTypes.LENGTH_DELIMITED:
        this.bytesField();
        return;
      case WireTypes.FIXED32:
        this.advance(4);
        return;
      default:
        throw new ProtobufFormatError(`unsupported wire type ${wireType}`);
    }
  }

  private advance(n: number): void {
    if (n > this.end - this.offset) throw new ProtobufFormatError('fixed field past the end');
    this.offset += n;
  }
}
