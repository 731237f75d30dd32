import { createRequire } from 'node:module';

/** Room for the CBOR encoding of any answer kinesalite gives (a 500-entry answer is ~45 KiB). */
const CBOR_ANSWER_MAX_BYTES = 64 * 1024 * 1024;

interface CborEncoderClass {
  encodeOne(value: unknown, options?: Record<string, unknown>): Buffer;
}

interface CborDecoderClass {
  decodeFirstSync(input: unknown, options?: unknown): unknown;
}

/** Byte strings (record data, the only blobs of Kinesis requests) as the base64 JSON carries. */
function blobsAsBase64(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map(blobsAsBase64);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = blobsAsBase64(item);
    return out;
  }
  return value;
}

/**
 * Makes kinesalite's CBOR (`application/x-amz-cbor-1.1`) work, for clients that send it (the
 * AWS SDK for Java, the KPL, kinlog's sink). Two faults of kinesalite 3 are mended in the
 * process that runs it:
 * - it encodes each CBOR answer with the `cbor` package's `Encoder.encodeOne`, which (cbor 5)
 *   returns only the first 16 KiB, its stream buffer, of a larger encoding: the answer to a
 *   PutRecords request of more than ~180 entries came cut short. It gets a buffer large enough.
 * - it stores a record's `Data` as the request gave it, expecting base64 text: the byte string
 *   of a CBOR request was stored as an object and read back as nothing. Byte strings of CBOR
 *   requests are handed to it as base64 text, as JSON requests carry them.
 * Idempotent; a kinesalite without the `cbor` package is left alone.
 *
 * @example
 * ```ts
 * wholeKinesaliteCborAnswers();
 * const server = require('kinesalite')({ createStreamMs: 0 });
 * ```
 */
export function wholeKinesaliteCborAnswers(): void {
  const require = createRequire(import.meta.url);
  let cbor: { Encoder: CborEncoderClass & { kinlogWhole?: boolean }; Decoder: CborDecoderClass };
  try {
    cbor = createRequire(require.resolve('kinesalite'))('cbor') as typeof cbor;
  } catch {
    return;
  }
  const encoder = cbor.Encoder;
  if (encoder.kinlogWhole === true) return;
  const decodeFirstSync = cbor.Decoder.decodeFirstSync.bind(cbor.Decoder);
  cbor.Decoder.decodeFirstSync = (input, options) => blobsAsBase64(decodeFirstSync(input, options));
  const encodeOne = encoder.encodeOne.bind(encoder);
  encoder.encodeOne = (value, options) =>
    encodeOne(value, { highWaterMark: CBOR_ANSWER_MAX_BYTES, ...options });
  encoder.kinlogWhole = true;
}
