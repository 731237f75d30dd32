/**
 * The `cbor` package (the decoder kinesalite reads requests with), typed for the few calls the
 * tests make: an encoder and decoder written apart from kinlog's own, to check them against.
 */
import { createRequire } from 'node:module';

interface CborPackage {
  decodeFirstSync(input: Uint8Array): unknown;
  Encoder: { encodeOne(value: unknown, options: { highWaterMark: number }): Buffer };
}

interface CborReference {
  /** Decodes the first item; byte strings come back as Buffers. */
  decodeFirstSync(input: Uint8Array): unknown;
  /** Encodes one value (Buffers as byte strings). */
  encode(value: unknown): Buffer;
}

/** Its `encode` returns only the first 16 KiB (its stream buffer) unless given more room. */
const ENCODE_MAX_BYTES = 64 * 1024 * 1024;

const cbor = createRequire(import.meta.url)('cbor') as CborPackage;

/**
 * @example
 * ```ts
 * const answer = cborReference.decodeFirstSync(body);
 * ```
 */
export const cborReference: CborReference = {
  decodeFirstSync: (input) => cbor.decodeFirstSync(input),
  encode: (value) => cbor.Encoder.encodeOne(value, { highWaterMark: ENCODE_MAX_BYTES }),
};
