/*
 * A small CBOR reader (RFC 8949) for the answers Kinesis gives in `application/x-amz-cbor-1.1`:
 *
 *   initial byte = major type (3 bits) │ additional info (5 bits)
 *     0 uint  1 negint  2 bytes  3 text  4 array  5 map  6 tag  7 simple / float / break
 *     info < 24: the value itself; 24..27: 1, 2, 4, 8 more bytes; 31: indefinite (2..5, 7)
 *
 * Every major type is read; byte and text strings and arrays and maps of indefinite length too;
 * tags are skipped (the tagged value stands for itself: an epoch timestamp reads as its number);
 * half, single and double floats. Maps become plain objects (keys as strings). Integers beyond
 * 2^53 become bigints. Anything truncated or malformed, or nesting deeper than
 * {@link CBOR_MAX_DEPTH}, throws a {@link CborDecodeError} that says where.
 *
 * The reader is a cursor (`at`): decodeCbor reads one whole item with it; the PutRecords answer
 * scanner (cbor-answer-results.ts) walks an answer with its parts and makes no value it does
 * not need.
 */
import { CborDecodeError } from '../errors.js';

/** Items nested deeper than this are refused (a hostile answer must not exhaust the stack). */
export const CBOR_MAX_DEPTH = 256;

const INFO_ONE_BYTE = 24;
const INFO_TWO_BYTES = 25;
const INFO_FOUR_BYTES = 26;
const INFO_EIGHT_BYTES = 27;
const INFO_INDEFINITE = 31;
const BREAK = 0xff;
/** The member count hasMember takes for a map or array of indefinite length. */
const INDEFINITE_COUNT = -1;
const SIMPLE_FALSE = 20;
const SIMPLE_TRUE = 21;
const SIMPLE_NULL = 22;
const SIMPLE_UNDEFINED = 23;

/** Text at most this long is looked up among the texts seen before instead of decoded. */
const SHORT_TEXT_MAX_BYTES = 32;
/** Distinct short texts remembered per decode (an answer has a handful: names, shard ids). */
const SHORT_TEXT_CACHE_SIZE = 16;
/** What a lenient UTF-8 decoding puts for an invalid sequence. */
const REPLACEMENT_CHARACTER = '\ufffd';
/** Initial byte of a text string whose length is in it (0x60 + length, up to 23). */
const TEXT_HEAD = 0x60;
const HEAD_INLINE_MAX = 23;
const MAJOR_TEXT = 3;
/** Bytes below this are ASCII: one character each, valid UTF-8 alone. */
const ASCII_END = 0x80;
/** The high bit of each byte of a 32-bit word: set in a word that is not four ASCII bytes. */
const ASCII_WORD_HIGH_BITS = 0x80808080;

/** Strict UTF-8 (an invalid sequence throws), for the rare text that is not ASCII. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Marks the break that ends an indefinite item (what {@link CborReader.item} reads for one). */
export const BREAK_MARK: unique symbol = Symbol('break');

/**
 * A cursor over one CBOR input: {@link CborReader.item} reads the item at `at` and moves past it.
 *
 * @example
 * ```ts
 * const reader = new CborReader(Buffer.from('a1634b6579820102', 'hex'));
 * reader.item(0); // { Key: [1, 2] }
 * reader.at; // 8
 * ```
 */
export class CborReader {
  at = 0;
  /** The input, for reads of several bytes at once (big-endian, any alignment). */
  readonly view: DataView;
  /** The input, as a Buffer (a view of the bytes given). */
  readonly bytes: Buffer;
  /** Short ASCII texts decoded so far: an answer repeats its member names and shard ids. */
  private readonly shortTexts: string[] = [];

  constructor(bytes: Uint8Array) {
    this.bytes = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  error(what: string, at = this.at): CborDecodeError {
    return new CborDecodeError(`invalid CBOR at byte ${at}: ${what}`);
  }

  /**
   * Whether a map or array of `count` members (-1: of indefinite length) has another after the
   * `read` read so far; the break ending an indefinite one is read.
   */
  hasMember(count: number, read: number): boolean {
    if (count >= 0) return read < count;
    if (this.peek() !== BREAK) return true;
    this.at++;
    return false;
  }

  /** One item, or BREAK_MARK for a break (only an indefinite item's reader accepts it). */
  item(depth: number): unknown {
    if (depth > CBOR_MAX_DEPTH) throw this.error(`nested deeper than ${CBOR_MAX_DEPTH}`);
    const start = this.at;
    const initial = this.byte();
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (major === 7) return this.simple(info, start);
    if (info === INFO_INDEFINITE) return this.indefinite(major, depth, start);
    const n = this.argument(info, start);
    switch (major) {
      case 0:
        return n;
      case 1:
        return typeof n === 'bigint' ? -1n - n : -1 - n;
      case 2:
        return new Uint8Array(this.take(this.length(n, start)));
      case 3:
        return this.text(this.length(n, start), start);
      case 4: {
        const count = this.length(n, start);
        const out: unknown[] = [];
        for (let i = 0; i < count; i++) out.push(this.value(depth + 1));
        return out;
      }
      case 5: {
        const count = this.length(n, start);
        const out: Record<string, unknown> = {};
        for (let i = 0; i < count; i++) this.entry(out, depth + 1);
        return out;
      }
      default:
        // Tag: its number says how to read the item after it; the item stands for itself.
        return this.value(depth + 1);
    }
  }

  value(depth: number): unknown {
    const start = this.at;
    const value = this.item(depth);
    if (value === BREAK_MARK) throw this.error('a break where an item was expected', start);
    return value;
  }

  private entry(out: Record<string, unknown>, depth: number): void {
    // A text key of under 24 bytes (every member name of an answer) read without the dispatch.
    const initial = this.peek();
    const start = this.at;
    let key: unknown;
    if (initial >= TEXT_HEAD && initial <= TEXT_HEAD + HEAD_INLINE_MAX) {
      this.at++;
      key = this.text(initial - TEXT_HEAD, start);
    } else key = this.value(depth);
    const name = typeof key === 'string' ? key : String(key);
    const value = this.value(depth);
    if (name !== '__proto__') out[name] = value;
    // A key of JSON's own (`__proto__`) must stay a member, not change the object's prototype.
    else
      Object.defineProperty(out, name, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }

  private indefinite(major: number, depth: number, start: number): unknown {
    switch (major) {
      case 2:
      case 3: {
        const chunks: Uint8Array[] = [];
        for (;;) {
          const chunkStart = this.at;
          const initial = this.byte();
          if (initial === BREAK) break;
          if (initial >> 5 !== major || (initial & 0x1f) === INFO_INDEFINITE) {
            throw this.error('a chunk of an indefinite-length string of another type', chunkStart);
          }
          const n = this.argument(initial & 0x1f, chunkStart);
          chunks.push(this.take(this.length(n, chunkStart)));
        }
        const whole = Buffer.concat(chunks);
        return major === 2 ? new Uint8Array(whole) : this.utf8(whole, start);
      }
      case 4: {
        const out: unknown[] = [];
        for (;;) {
          const value = this.item(depth + 1);
          if (value === BREAK_MARK) return out;
          out.push(value);
        }
      }
      case 5: {
        const out: Record<string, unknown> = {};
        while (this.hasMember(INDEFINITE_COUNT, 0)) this.entry(out, depth + 1);
        return out;
      }
      default:
        throw this.error(`major type ${major} cannot have an indefinite length`, start);
    }
  }

  private simple(info: number, start: number): unknown {
    switch (info) {
      case SIMPLE_FALSE:
        return false;
      case SIMPLE_TRUE:
        return true;
      case SIMPLE_NULL:
        return null;
      case SIMPLE_UNDEFINED:
        return undefined;
      case INFO_ONE_BYTE: {
        const value = this.byte();
        if (value < 32) throw this.error(`simple value ${value} in two bytes`, start);
        return undefined;
      }
      case INFO_TWO_BYTES:
        return halfFloat(this.view.getUint16(this.need(2), false));
      case INFO_FOUR_BYTES:
        return this.view.getFloat32(this.need(4), false);
      case INFO_EIGHT_BYTES:
        return this.view.getFloat64(this.need(8), false);
      case INFO_INDEFINITE:
        return BREAK_MARK;
      default:
        // 0..19: unassigned simple values, read as nothing; 28..30: reserved.
        if (info < SIMPLE_FALSE) return undefined;
        throw this.error(`reserved additional information ${info}`, start);
    }
  }

  /** The argument of a head: a number, or a bigint beyond 2^53. */
  argument(info: number, start: number): number | bigint {
    if (info < INFO_ONE_BYTE) return info;
    switch (info) {
      case INFO_ONE_BYTE:
        return this.byte();
      case INFO_TWO_BYTES:
        return this.view.getUint16(this.need(2), false);
      case INFO_FOUR_BYTES:
        return this.view.getUint32(this.need(4), false);
      case INFO_EIGHT_BYTES: {
        const value = this.view.getBigUint64(this.need(8), false);
        return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
      }
      default:
        throw this.error(`reserved additional information ${info}`, start);
    }
  }

  /** A length or count: one the input can hold at all (at least a byte per element). */
  length(n: number | bigint, start: number): number {
    if (typeof n === 'bigint' || n > this.bytes.length - this.at) {
      throw this.error(
        `truncated: an item of length ${String(n)} with ${this.bytes.length - this.at} bytes left`,
        start,
      );
    }
    return n;
  }

  /**
   * The next `length` bytes as text. A short one seen before (member names, shard ids) comes
   * from the cache, no string made; others are read natively, and only one that came out with
   * a replacement character is read again strictly (an invalid sequence throws, a real U+FFFD
   * stays).
   */
  text(length: number, start: number): string {
    const from = this.need(length);
    const bytes = this.bytes;
    const short = length <= SHORT_TEXT_MAX_BYTES;
    if (short) {
      const known = this.shortTexts;
      for (let k = 0; k < known.length; k++) {
        const candidate = known[k]!;
        // Shard ids differ in their last digit: it is compared first.
        if (candidate.length !== length) continue;
        if (length > 0 && candidate.charCodeAt(length - 1) !== bytes[from + length - 1]) continue;
        let i = 0;
        while (i < length && candidate.charCodeAt(i) === bytes[from + i]) i++;
        if (i === length) return candidate;
      }
    }
    let text = bytes.toString('utf8', from, from + length);
    if (text.includes(REPLACEMENT_CHARACTER)) {
      text = this.utf8(bytes.subarray(from, from + length), start);
    }
    // Kept only when one character a byte (ASCII), as the comparison above reads it.
    if (short && text.length === length && this.shortTexts.length < SHORT_TEXT_CACHE_SIZE) {
      this.shortTexts.push(text);
    }
    return text;
  }

  /**
   * The head of a text string of definite length at `at`, read: answers its length (its bytes
   * follow at `at`); -1, nothing read, when the next item is anything else (an indefinite or
   * tagged text included: {@link item} reads those).
   */
  textHead(): number {
    const start = this.at;
    const initial = this.peek();
    if (initial >> 5 !== MAJOR_TEXT || (initial & 0x1f) === INFO_INDEFINITE) return -1;
    this.at++;
    return this.length(this.argument(initial & 0x1f, start), start);
  }

  /**
   * Moves past the next `length` bytes, a text, checking them as {@link text} would (an
   * invalid UTF-8 sequence throws) without making a string: ASCII, the usual case, is
   * checked four bytes at a time; anything else is decoded strictly.
   */
  skipText(length: number, start: number): void {
    const from = this.need(length);
    const view = this.view;
    const end = from + length;
    let i = from;
    for (; i + 4 <= end; i += 4) if ((view.getUint32(i) & ASCII_WORD_HIGH_BITS) !== 0) break;
    for (; i < end; i++) {
      if (this.bytes[i]! >= ASCII_END) {
        this.utf8(this.bytes.subarray(from, end), start);
        return;
      }
    }
  }

  utf8(bytes: Uint8Array, start: number): string {
    try {
      return strictUtf8.decode(bytes);
    } catch {
      throw this.error('a text string that is not UTF-8', start);
    }
  }

  byte(): number {
    if (this.at >= this.bytes.length) throw this.error('truncated: no more bytes');
    return this.bytes[this.at++]!;
  }

  peek(): number {
    if (this.at >= this.bytes.length) throw this.error('truncated: no more bytes');
    return this.bytes[this.at]!;
  }

  /** Reserves `n` bytes; answers where they start. */
  need(n: number): number {
    if (this.at + n > this.bytes.length) {
      throw this.error(`truncated: ${n} bytes wanted, ${this.bytes.length - this.at} left`);
    }
    const at = this.at;
    this.at += n;
    return at;
  }

  take(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }
}

/** An IEEE 754 half-precision float (RFC 8949 Appendix D). */
function halfFloat(half: number): number {
  const exponent = (half >> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  let value: number;
  if (exponent === 0) value = mantissa * 2 ** -24;
  else if (exponent !== 31) value = (mantissa + 1024) * 2 ** (exponent - 25);
  else value = mantissa === 0 ? Infinity : NaN;
  return half & 0x8000 ? -value : value;
}
