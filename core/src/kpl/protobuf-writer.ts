/**
 * The few protobuf encodings the KPL format needs: varints and length-delimited fields.
 * Sizes are computed separately so an aggregate can be sized before it is encoded.
 */

/** Protobuf wire types used here. */
export const ProtobufWireTypes = { VARINT: 0, LENGTH_DELIMITED: 2 } as const;

/**
 * Bytes a non-negative integer takes as a varint.
 *
 * @example
 * ```ts
 * varintSize(127); // 1
 * varintSize(128); // 2
 * ```
 */
export function varintSize(value: number): number {
  let size = 1;
  let v = value;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

/**
 * Bytes a length-delimited field of `length` payload bytes takes with a one-byte tag.
 *
 * @example
 * ```ts
 * lengthDelimitedSize(3); // 1 tag + 1 length + 3
 * ```
 */
export function lengthDelimitedSize(length: number): number {
  return 1 + varintSize(length) + length;
}

/**
 * Writes protobuf fields into a pre-sized buffer.
 *
 * @example
 * ```ts
 * const w = new ProtobufWriter(Buffer.alloc(16));
 * w.bytesField(3, Buffer.from('hi'));
 * ```
 */
export class ProtobufWriter {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  get length(): number {
    return this.offset;
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  varint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.buffer[this.offset++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buffer[this.offset++] = v;
  }

  varintField(field: number, value: number): void {
    this.tag(field, ProtobufWireTypes.VARINT);
    this.varint(value);
  }

  bytesField(field: number, bytes: Uint8Array): void {
    this.tag(field, ProtobufWireTypes.LENGTH_DELIMITED);
    this.varint(bytes.length);
    this.buffer.set(bytes, this.offset);
    this.offset += bytes.length;
  }

  /** Writes the header of a length-delimited field whose payload the caller writes next. */
  lengthPrefix(field: number, length: number): void {
    this.tag(field, ProtobufWireTypes.LENGTH_DELIMITED);
    this.varint(length);
  }
}
