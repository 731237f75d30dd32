/*
 * The CBOR side of the Kinesis wire (`application/x-amz-cbor-1.1`, what the AWS SDK for Java and
 * the KPL speak): the same operations and member names as AWS JSON 1.1, with blobs (`Data`) as
 * CBOR byte strings. The test servers read requests and write answers with it:
 *
 *   head byte: major type << 5 | info   (info < 24: the value; 24..27: 1, 2, 4, 8 more bytes;
 *                                        31: indefinite length, items up to a 0xFF break)
 *
 * Written apart from the producer's encoder and decoder on purpose: a check that shares the code
 * it checks would agree with its bugs.
 */

/** Bytes that are not well-formed CBOR. */
export class CborWireError extends Error {
  override readonly name: string = 'CborWireError';
}

/**
 * CBOR that ends before its item does: what a prefix of a well-formed body gives, so a reader
 * of a body still arriving can wait for more bytes.
 *
 * @example
 * ```ts
 * if (err instanceof CborTruncatedError) waitForMoreBytes();
 * ```
 */
export class CborTruncatedError extends CborWireError {
  override readonly name = 'CborTruncatedError';
  constructor() {
    super('truncated CBOR');
  }
}

const BREAK = 0xff;

/**
 * Decodes the first CBOR item of `bytes`: maps as objects (string keys), byte strings as Buffer
 * views of `bytes` (no copy), tags skipped, floats of every width.
 *
 * @throws {CborWireError} on truncated or malformed input.
 * @example
 * ```ts
 * const input = decodeCborValue(body) as { Records: { Data: Buffer }[] };
 * ```
 */
export function decodeCborValue(bytes: Buffer): unknown {
  return new Reader(bytes).value();
}

/**
 * How many entries a PutRecords CBOR body's `Records` array holds, read from its head without
 * decoding the entries (for counting servers); `undefined` when there is none.
 *
 * @example
 * ```ts
 * cborRecordCount(body); // 500
 * ```
 */
export function cborRecordCount(bytes: Buffer): number | undefined {
  const reader = new Reader(bytes);
  const { major, length } = reader.head();
  if (major !== 5) return undefined;
  for (let i = 0; length < 0 || i < length; i++) {
    if (length < 0 && reader.peek() === BREAK) return undefined;
    const key = reader.value();
    if (key !== 'Records') {
      reader.skip();
      continue;
    }
    const records = reader.head();
    if (records.major !== 4) return undefined;
    if (records.length >= 0) return records.length;
    let n = 0;
    while (reader.peek() !== BREAK) {
      reader.skip();
      n++;
    }
    return n;
  }
  return undefined;
}

class Reader {
  private at = 0;
  constructor(private readonly bytes: Buffer) {}

  peek(): number {
    if (this.at >= this.bytes.length) throw new CborTruncatedError();
    return this.bytes[this.at]!;
  }

  /** A head: its major type and length (-1: indefinite); a simple or float keeps `info`. */
  head(): { major: number; info: number; length: number } {
    const initial = this.peek();
    this.at++;
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (info === 31) return { major, info, length: -1 };
    if (major === 7 && info >= 25) return { major, info, length: 0 };
    return { major, info, length: this.argument(info) };
  }

  private argument(info: number): number {
    if (info < 24) return info;
    const widths: Record<number, number> = { 24: 1, 25: 2, 26: 4, 27: 8 };
    const width = widths[info];
    if (width === undefined) throw new CborWireError(`reserved CBOR head ${info}`);
    const at = this.need(width);
    if (width === 8) return Number(this.bytes.readBigUInt64BE(at));
    return this.bytes.readUIntBE(at, width);
  }

  private need(n: number): number {
    if (this.at + n > this.bytes.length) throw new CborTruncatedError();
    const at = this.at;
    this.at += n;
    return at;
  }

  value(): unknown {
    const { major, info, length } = this.head();
    switch (major) {
      case 0:
        return length;
      case 1:
        return -1 - length;
      case 2:
      case 3: {
        let bytes: Buffer;
        if (length >= 0) {
          const at = this.need(length);
          bytes = this.bytes.subarray(at, at + length);
        } else {
          const chunks: Buffer[] = [];
          while (this.peek() !== BREAK) chunks.push(this.value() as Buffer);
          this.at++;
          bytes = Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
        }
        return major === 2 ? bytes : bytes.toString('utf8');
      }
      case 4: {
        const out: unknown[] = [];
        for (let i = 0; length < 0 ? this.peek() !== BREAK : i < length; i++)
          out.push(this.value());
        if (length < 0) this.at++;
        return out;
      }
      case 5: {
        const out: Record<string, unknown> = {};
        for (let i = 0; length < 0 ? this.peek() !== BREAK : i < length; i++) {
          const key = String(this.value());
          out[key] = this.value();
        }
        if (length < 0) this.at++;
        return out;
      }
      case 6:
        return this.value();
      default:
        return this.simple(info);
    }
  }

  private simple(info: number): unknown {
    if (info === 20) return false;
    if (info === 21) return true;
    if (info === 22) return null;
    if (info === 25) {
      const half = this.bytes.readUInt16BE(this.need(2));
      const exponent = (half >> 10) & 0x1f;
      const mantissa = half & 0x3ff;
      const magnitude =
        exponent === 0
          ? mantissa * 2 ** -24
          : exponent === 31
            ? mantissa === 0
              ? Infinity
              : NaN
            : (mantissa + 1024) * 2 ** (exponent - 25);
      return half & 0x8000 ? -magnitude : magnitude;
    }
    if (info === 26) return this.bytes.readFloatBE(this.need(4));
    if (info === 27) return this.bytes.readDoubleBE(this.need(8));
    if (info === 31) throw new CborWireError('unexpected CBOR break');
    return undefined;
  }

  skip(): void {
    this.value();
  }
}

/**
 * Encodes an answer as CBOR: objects as maps (members that are `undefined` left out), arrays,
 * text, Buffers as byte strings, whole numbers as integers, other numbers as doubles.
 *
 * @example
 * ```ts
 * res.end(encodeCborValue({ FailedRecordCount: 0, Records: [] }));
 * ```
 */
export function encodeCborValue(value: unknown): Buffer {
  const writer = new Writer();
  writer.value(value);
  return writer.done();
}

/** Writes into one buffer that doubles when full. */
class Writer {
  private out = Buffer.allocUnsafe(1024);
  private at = 0;

  done(): Buffer {
    return this.out.subarray(0, this.at);
  }

  private room(n: number): void {
    if (this.at + n <= this.out.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.at + n));
    this.out.copy(bigger, 0, 0, this.at);
    this.out = bigger;
  }

  private head(major: number, n: number): void {
    this.room(9);
    const type = major << 5;
    if (n < 24) this.out[this.at++] = type | n;
    else if (n < 0x100) {
      this.out[this.at++] = type | 24;
      this.out[this.at++] = n;
    } else if (n < 0x10000) {
      this.out[this.at++] = type | 25;
      this.at = this.out.writeUInt16BE(n, this.at);
    } else if (n < 0x100000000) {
      this.out[this.at++] = type | 26;
      this.at = this.out.writeUInt32BE(n, this.at);
    } else {
      this.out[this.at++] = type | 27;
      this.at = this.out.writeBigUInt64BE(BigInt(n), this.at);
    }
  }

  private bytes(major: number, bytes: Uint8Array): void {
    this.head(major, bytes.length);
    this.room(bytes.length);
    this.out.set(bytes, this.at);
    this.at += bytes.length;
  }

  value(value: unknown): void {
    if (value === null || value === undefined) {
      this.room(1);
      this.out[this.at++] = 0xf6;
    } else if (typeof value === 'boolean') {
      this.room(1);
      this.out[this.at++] = value ? 0xf5 : 0xf4;
    } else if (typeof value === 'number') {
      if (Number.isSafeInteger(value)) {
        if (value >= 0) this.head(0, value);
        else this.head(1, -1 - value);
      } else {
        this.room(9);
        this.out[this.at++] = 0xfb;
        this.at = this.out.writeDoubleBE(value, this.at);
      }
    } else if (typeof value === 'string') {
      this.bytes(3, Buffer.from(value, 'utf8'));
    } else if (value instanceof Uint8Array) {
      this.bytes(2, value);
    } else if (Array.isArray(value)) {
      this.head(4, value.length);
      for (const item of value) this.value(item);
    } else if (typeof value === 'object') {
      const entries = Object.entries(value).filter(([, v]) => v !== undefined);
      this.head(5, entries.length);
      for (const [key, item] of entries) {
        this.value(key);
        this.value(item);
      }
    } else {
      throw new TypeError(`cannot encode a ${typeof value} as CBOR`);
    }
  }
}
