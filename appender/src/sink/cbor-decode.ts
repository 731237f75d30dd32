/*
 * One whole CBOR item decoded to plain values (see cbor-reader.ts for what is read and how):
 * the careful way to read an answer, every member made.
 */
import { BREAK_MARK, CborReader } from './cbor-reader.js';

export { CBOR_MAX_DEPTH } from './cbor-reader.js';

/**
 * Decodes the one CBOR item `bytes` holds.
 *
 * @throws {CborDecodeError} on truncated or invalid input, or bytes after the item.
 * @example
 * ```ts
 * decodeCbor(Buffer.from('a1634b6579820102', 'hex')); // { Key: [1, 2] }
 * ```
 */
export function decodeCbor(bytes: Uint8Array): unknown {
  const reader = new CborReader(bytes);
  const value = reader.item(0);
  if (value === BREAK_MARK) throw reader.error('a break outside an indefinite-length item');
  endOfInput(reader);
  return value;
}

/**
 * Throws unless the reader is at the end of its input: one item is the whole answer.
 *
 * @example
 * ```ts
 * endOfInput(reader); // after reading the answer's one item
 * ```
 */
export function endOfInput(reader: CborReader): void {
  const left = reader.bytes.length - reader.at;
  if (left !== 0) throw reader.error(`${left} bytes after the item`);
}
